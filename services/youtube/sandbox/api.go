package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

var knownParts = []string{"id", "snippet", "contentDetails", "status", "monetizationDetails"}

// apiError is an answer in Google's error envelope.
type apiError struct {
	code                     int
	reason, domain, msg, loc string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(reason, msg string) *apiError {
	return &apiError{code: http.StatusBadRequest, reason: reason, domain: "youtube.liveBroadcast", msg: msg}
}

func required(param string) *apiError {
	return &apiError{code: http.StatusBadRequest, reason: "required", domain: "global",
		msg: "Required parameter: " + param, loc: param}
}

// liveBroadcasts serves /youtube/v3/liveBroadcasts: GET list, POST insert, PUT update,
// DELETE delete. Order of checks as Google: fault, auth, quota, parameters, rules.
func (s *Server) liveBroadcasts(w http.ResponseWriter, r *http.Request) {
	op, cost := "", CostWrite
	switch r.Method {
	case http.MethodGet:
		op, cost = "list", CostList
	case http.MethodPost:
		op = "insert"
	case http.MethodPut:
		op = "update"
	case http.MethodDelete:
		op = "delete"
	default:
		writeError(w, http.StatusMethodNotAllowed, "methodNotAllowed", "global", "Method "+r.Method+" is not allowed.", "")
		return
	}
	s.mu.Lock()
	s.stats.Requests++
	f, faulty := s.popFault(false, op)
	s.mu.Unlock()
	if faulty && applyBefore(w, f) {
		return
	}
	if e := s.authorize(r); e != nil {
		s.refuse(w, e)
		return
	}
	s.mu.Lock()
	ok := s.charge(cost)
	s.mu.Unlock()
	if !ok {
		s.refuse(w, &apiError{code: http.StatusForbidden, reason: "quotaExceeded", domain: "youtube.quota",
			msg: "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>."})
		return
	}
	var (
		status = http.StatusOK
		body   any
		id     string
		err    error
	)
	switch op {
	case "list":
		body, err = s.list(r)
	case "insert":
		body, id, err = s.insert(r)
	case "update":
		body, id, err = s.update(r)
	case "delete":
		id, err = s.delete(r)
		status = http.StatusNoContent
	}
	var ae *apiError
	if errors.As(err, &ae) {
		s.refuse(w, ae)
		return
	}
	if op != "list" {
		s.mu.Lock()
		hook := s.afterWrite
		s.mu.Unlock()
		if hook != nil {
			hook(op, id)
		}
		s.mu.Lock()
		if !faulty && s.drawLoss(op) {
			f, faulty = Fault{Kind: LoseAnswer}, true
		}
		lost := faulty && f.afterWrite()
		if lost {
			s.stats.LostAnswers++
		}
		s.mu.Unlock()
		if lost {
			applyAfter(w, f)
			return
		}
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

func (s *Server) refuse(w http.ResponseWriter, e *apiError) {
	s.mu.Lock()
	s.stats.Refused++
	s.mu.Unlock()
	writeError(w, e.code, e.reason, e.domain, e.msg, e.loc)
}

// authorize checks the Bearer access token against those issued and not expired.
func (s *Server) authorize(r *http.Request) *apiError {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return &apiError{code: http.StatusUnauthorized, reason: "required", domain: "global",
			msg: "Login Required.", loc: "Authorization"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	if !ok || !s.now().Before(exp) {
		return &apiError{code: http.StatusUnauthorized, reason: "authError", domain: "global",
			msg: "Invalid Credentials", loc: "Authorization"}
	}
	return nil
}

// parts reads and checks the part parameter, given comma-separated, repeated, or both.
func parts(r *http.Request) ([]string, *apiError) {
	var out []string
	for _, p := range r.URL.Query()["part"] {
		for _, name := range strings.Split(p, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(knownParts, name) {
				return nil, badRequest("unknownPart", fmt.Sprintf("'%s'", name))
			}
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return nil, required("part")
	}
	return out, nil
}

func decodeBody(r *http.Request) (*inBroadcast, *apiError) {
	var in inBroadcast
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, &apiError{code: http.StatusBadRequest, reason: "parseError", domain: "global", msg: "Parse Error"}
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, &apiError{code: http.StatusBadRequest, reason: "parseError", domain: "global", msg: "Parse Error"}
	}
	return &in, nil
}

func (s *Server) insert(r *http.Request) (*wireBroadcast, string, error) {
	ps, e := parts(r)
	if e != nil {
		return nil, "", e
	}
	in, e := decodeBody(r)
	if e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &broadcast{channelID: s.cfg.ChannelID, published: s.now().UTC()}
	if e := s.apply(b, in, ps, true); e != nil {
		return nil, "", e
	}
	s.seq++
	b.id = fmt.Sprintf("sbx%08d", s.seq)
	b.etag = randomHex(8)
	s.broadcasts[b.id] = b
	s.order = append(s.order, b.id)
	s.stats.Inserts++
	return s.wire(b, ps), b.id, nil
}

func (s *Server) update(r *http.Request) (*wireBroadcast, string, error) {
	ps, e := parts(r)
	if e != nil {
		return nil, "", e
	}
	in, e := decodeBody(r)
	if e != nil {
		return nil, "", e
	}
	if in.ID == "" {
		return nil, "", badRequest("idRequired", "The liveBroadcast resource must specify an id.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.broadcasts[in.ID]
	if !ok {
		return nil, "", notFound()
	}
	if e := s.apply(b, in, ps, false); e != nil {
		return nil, "", e
	}
	b.etag = randomHex(8)
	s.stats.Updates++
	return s.wire(b, ps), b.id, nil
}

func notFound() *apiError {
	return &apiError{code: http.StatusNotFound, reason: "liveBroadcastNotFound", domain: "youtube.liveBroadcast",
		msg: "Broadcast not found"}
}

func (s *Server) delete(r *http.Request) (string, error) {
	id := r.URL.Query().Get("id")
	if id == "" {
		return "", required("id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.broadcasts[id]; !ok {
		return "", notFound()
	}
	delete(s.broadcasts, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
	s.stats.Deletes++
	return id, nil
}

// list serves one page. Exactly one filter of id, mine and broadcastStatus is allowed.
func (s *Server) list(r *http.Request) (*listResponse, error) {
	ps, e := parts(r)
	if e != nil {
		return nil, e
	}
	q := r.URL.Query()
	filters := 0
	for _, f := range []string{"id", "mine", "broadcastStatus"} {
		if q.Get(f) != "" {
			filters++
		}
	}
	switch {
	case filters == 0:
		return nil, badRequest("missingRequiredParameter", "No filter selected. Expected one of: mine, broadcastStatus, id")
	case filters > 1:
		return nil, badRequest("incompatibleParameters", "Incompatible parameters specified in the request: id, mine, broadcastStatus")
	case q.Has("mine") && q.Get("mine") != "true":
		return nil, badRequest("invalidValue", "Invalid value for mine")
	}
	size := 5
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxResults {
			return nil, badRequest("invalidValue", "Invalid value for maxResults: "+v)
		}
		size = n
	}
	offset := 0
	if tok := q.Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "CA"))
		if err != nil || !strings.HasPrefix(tok, "CA") || n < 0 {
			return nil, badRequest("invalidPageToken", "The request specifies an invalid page token.")
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Lists++
	var match []*broadcast
	ids := strings.Split(q.Get("id"), ",")
	now := s.now()
	for _, id := range s.order {
		b := s.broadcasts[id]
		switch {
		case q.Get("id") != "" && !slices.Contains(ids, id):
			continue
		case q.Get("broadcastStatus") == "upcoming" && !b.start.After(now):
			continue
		}
		match = append(match, b)
	}
	resp := &listResponse{Kind: "youtube#liveBroadcastListResponse", Etag: randomHex(8),
		PageInfo: map[string]int{"totalResults": len(match), "resultsPerPage": size}, Items: []*wireBroadcast{}}
	end := min(offset+size, len(match))
	for i := offset; i < end; i++ {
		resp.Items = append(resp.Items, s.wire(match[i], ps))
	}
	if end < len(match) {
		resp.NextPageToken = "CA" + strconv.Itoa(end)
	}
	return resp, nil
}

// writeError answers in Google's error envelope.
func writeError(w http.ResponseWriter, code int, reason, domain, msg, location string) {
	item := map[string]string{"message": msg, "domain": domain, "reason": reason}
	if location != "" {
		item["location"] = location
		item["locationType"] = "parameter"
		if location == "Authorization" {
			item["locationType"] = "header"
		}
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)
	}
	writeJSON(w, code, map[string]any{"error": map[string]any{
		"code": code, "message": msg, "errors": []map[string]string{item},
	}})
}
