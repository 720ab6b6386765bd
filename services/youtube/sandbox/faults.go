package sandbox

import (
	"net/http"
)

// FaultKind is a way a request can go wrong.
type FaultKind int

const (
	// Status answers with Fault.Code (500 when 0) in Google's envelope, doing nothing.
	Status FaultKind = iota + 1
	// Reset closes the connection without an answer, doing nothing.
	Reset
	// LoseAnswer does what was asked, then closes the connection without an answer: the
	// client cannot tell whether its write took effect.
	LoseAnswer
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
		hangUp(w)
		return true
	}
	return false
}

// hangUp closes the connection under the response without writing anything.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusBadGateway) // HTTP/2: the nearest thing to a reset
		return
	}
	if conn, _, err := hj.Hijack(); err == nil {
		_ = conn.Close()
	}
}
