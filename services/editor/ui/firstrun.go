package ui

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/audit"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// firstRunData is the first-run page: step one asks for the name and password (the
// rule said up front), step two shows the new second factor and asks for its code.
type firstRunData struct {
	Token, Name string
	MinPassword int
	// Confirm is step two; Secret (in groups of four, as apps ask for it) and QR are
	// the second factor to put in the app.
	Confirm bool
	Secret  string
	QR      template.HTML
}

// firstRunPage is the link the editor logs when it has no account: the way to create
// the first administrator in the browser, once.
func (s *Server) firstRunPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := s.acc.CheckFirstRun(r.Context(), token); err != nil {
		s.firstRunFailed(w, r, err)
		return
	}
	s.renderFirstRun(w, r, http.StatusOK, firstRunData{Token: token}, i18n.Msg{})
}

// firstRunChoose takes the name and password and shows the second factor to set up.
func (s *Server) firstRunChoose(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	d := firstRunData{Token: token, Name: r.PostFormValue("name")}
	pw := r.PostFormValue("password")
	var err error
	var fs *accounts.FirstRunSecret
	if pw != r.PostFormValue("again") {
		err = errSelf{"setup.mismatch", "the two passwords differ"}
	} else {
		fs, err = s.acc.ChooseFirstAdmin(r.Context(), token, d.Name, pw)
	}
	if errors.Is(err, accounts.ErrFirstRunGone) {
		s.firstRunFailed(w, r, err)
		return
	}
	if err != nil {
		s.renderFirstRun(w, r, http.StatusUnprocessableEntity, d, s.problem("firstrun.notMade", err))
		return
	}
	s.renderFirstRun(w, r, http.StatusOK, secretData(token, fs), i18n.Msg{})
}

// firstRunConfirm checks a code of the new second factor, creates the administrator,
// records it in her name and logs her in.
func (s *Server) firstRunConfirm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	u, err := s.acc.ConfirmFirstAdmin(r.Context(), token, strings.TrimSpace(r.PostFormValue("code")))
	if errors.Is(err, accounts.ErrBadCode) {
		fs, ferr := s.acc.FirstRunChoice(r.Context(), token)
		if ferr != nil || fs == nil {
			s.firstRunFailed(w, r, cmpErr(ferr, accounts.ErrFirstRunGone))
			return
		}
		s.renderFirstRun(w, r, http.StatusUnprocessableEntity, secretData(token, fs), i18n.M("firstrun.badCode"))
		return
	}
	if errors.Is(err, accounts.ErrFirstRunNotChosen) {
		// A code before a name and password (a second tab, a stale step): step one again.
		s.renderFirstRun(w, r, http.StatusUnprocessableEntity, firstRunData{Token: token}, i18n.M("firstrun.chooseFirst"))
		return
	}
	if err != nil {
		s.firstRunFailed(w, r, err)
		return
	}
	s.recordAccount(r, u.Name, audit.UserAdd, u.Name, "first administrator, from the first-run link in the browser", nil)
	s.log.Info("first administrator added in the browser", "name", u.Name)
	id, err := s.acc.CreateSession(r.Context(), u.Name)
	if err != nil {
		s.fail(w, r, "login", page{Title: i18n.M("title.login")}, err)
		return
	}
	s.recordLogin(r, u.Name, true, "first run")
	s.setCookie(w, id)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// firstRunFailed answers a link that opens nothing with 410 in words; anything else
// is the server's problem.
func (s *Server) firstRunFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, accounts.ErrFirstRunGone) {
		s.render(w, r, http.StatusGone, "message", page{Title: i18n.M("title.firstrun"), Error: i18n.M("firstrun.gone")})
		return
	}
	s.fail(w, r, "message", page{Title: i18n.M("title.firstrun")}, err)
}

func (s *Server) renderFirstRun(w http.ResponseWriter, r *http.Request, status int, d firstRunData, problem i18n.Msg) {
	d.MinPassword = s.acc.MinPassword()
	s.render(w, r, status, "firstrun", page{Title: i18n.M("title.firstrun"), Error: problem, Data: d})
}

func secretData(token string, fs *accounts.FirstRunSecret) firstRunData {
	return firstRunData{Token: token, Name: fs.Name, Confirm: true, Secret: groupSecret(fs.Secret), QR: qrSVG(fs.URI)}
}

// groupSecret writes a base32 secret in groups of four, as authenticator apps show
// and ask for it: easier to type without losing one's place.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
