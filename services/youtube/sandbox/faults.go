package sandbox

import (
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
)

// FaultKind is a way a request can go wrong.
type FaultKind int

const (
	// Status answers with Fault.Code (500 when 0) in Google's envelope, doing nothing.
	Status FaultKind = iota + 1
	// Reset closes the connection without an answer, doing nothing.
	Reset
	// LoseAnswer does what was asked, then closes the connection without an answer: the
	// client cannot tell whether its write took effect (it reads EOF).
	LoseAnswer
	// ResetAfterWrite does what was asked, then resets the connection (TCP RST): the
	// client reads "connection reset by peer".
	ResetAfterWrite
	// StatusAfterWrite does what was asked, then answers Fault.Code (500 when 0), as a
	// Google front end does when a backend wrote and then failed.
	StatusAfterWrite
)

// Fault is one injected failure. It applies to the next API request (of operation
// Op — "insert", "update", "delete" or "list" — when set), or with Token to the next
// request to the token endpoint.
type Fault struct {
	Kind FaultKind
	// Code and Reason of a Status answer: 500 and "backendError" when not set.
	Code   int
	Reason string
	Op     string
	Token  bool
}

// Fail queues faults; each is used up by one request, in order.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// LoseAnswers makes a share rate (0 to 1) of the requests of ops ("insert", "update",
// "delete") lose their answer after being carried out, as LoseAnswer does. The draws
// come from a generator seeded with seed, so a test loses the same requests every run
// when it makes them in the same order. Rate 0 turns it off; queued faults go first.
func (s *Server) LoseAnswers(rate float64, seed uint64, ops ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseRate, s.loseOps = rate, slices.Clone(ops)
	s.loseRand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// drawLoss reports whether a request of op loses its answer by LoseAnswers. The caller
// holds s.mu.
func (s *Server) drawLoss(op string) bool {
	return s.loseRate > 0 && slices.Contains(s.loseOps, op) && s.loseRand.Float64() < s.loseRate
}

// Pending returns how many queued faults have not been used yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// popFault takes the first queued fault for the token endpoint (token) or for API
// operation op. The caller holds s.mu.
func (s *Server) popFault(token bool, op string) (Fault, bool) {
	for i, f := range s.faults {
		if f.Token == token && (f.Op == "" || f.Op == op) {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

// applyBefore acts on a fault that strikes before the request is handled and reports
// whether the request is finished.
func applyBefore(w http.ResponseWriter, f Fault) bool {
	switch f.Kind {
	case Status:
		code := f.Code
		if code == 0 {
			code = http.StatusInternalServerError
		}
		reason, msg := "backendError", "Backend Error"
		if code == http.StatusServiceUnavailable {
			msg = "The service is currently unavailable."
		}
		if f.Reason != "" {
			reason, msg = f.Reason, "Injected failure: "+f.Reason
		}
		writeError(w, code, reason, "global", msg, "")
		return true
	case Reset:
		hangUp(w, false)
		return true
	}
	return false
}

// afterWrite reports whether f strikes after the write took effect.
func (f Fault) afterWrite() bool {
	switch f.Kind {
	case LoseAnswer, ResetAfterWrite, StatusAfterWrite:
		return true
	}
	return false
}

// applyAfter answers a write that took effect as fault f says (see afterWrite).
func applyAfter(w http.ResponseWriter, f Fault) {
	switch f.Kind {
	case LoseAnswer:
		hangUp(w, false)
	case ResetAfterWrite:
		hangUp(w, true)
	case StatusAfterWrite:
		f.Kind = Status
		applyBefore(w, f)
	}
}

// hangUp closes the connection under the response without writing anything: with a
// FIN (the client reads EOF), or with rst a TCP reset.
func hangUp(w http.ResponseWriter, rst bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusBadGateway) // HTTP/2: the nearest thing to a reset
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0) // close sends RST instead of FIN
	}
	_ = conn.Close()
}
