package main

// fileReserve is what stays for everything but the crowd: the bus's store files and
// connections, the probe, logs.
const fileReserve = 512

// readersAllowed is how many readers the soft limit holds in this process. Each reader
// holds its stream's client end, and in-process the server's end too; page loads share
// pageConns keep-alive connections per source address (both ends in-process).
func readersAllowed(soft uint64, inProc bool, sources, pageConns int) int {
	perReader, pageFiles := 1, sources*pageConns
	if inProc {
		perReader, pageFiles = 2, 2*pageFiles
	}
	n := (int(min(soft, 1<<31)) - fileReserve - pageFiles) / perReader
	return max(n, 0)
}
