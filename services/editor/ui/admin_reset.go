package ui

import (
	"net/http"

	"github.com/paeria/pregoner/services/editor/accounts"
	"github.com/paeria/pregoner/services/editor/i18n"
)

// resetTOTP drops a member's second factor (a lost phone): her next login, with the
// password, sets up a new one. Her sessions end now.
func (s *Server) resetTOTP(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "reset a second factor") {
		return
	}
	name := r.PathValue("name")
	// Her own reset would let whoever holds her session, with her password, enrol a
	// phone of theirs: desk.Members refuses it.
	err := s.members().ResetTOTP(r.Context(), admin(r, u), name)
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.totpNotReset", err), func(*adminData) {})
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.totpReset", name), i18n.Msg{}, func(*adminData) {})
}

// forcePassword makes a member's next login choose a new password; her sessions end
// now. An administrator may ask it of herself: it is how she changes her own.
func (s *Server) forcePassword(w http.ResponseWriter, r *http.Request, u *accounts.User) {
	if !s.requireAdmin(w, r, u, "force a password change") {
		return
	}
	name := r.PathValue("name")
	err := s.members().ForcePassword(r.Context(), admin(r, u), name)
	if err != nil {
		s.showAdmin(w, r, u, http.StatusUnprocessableEntity, i18n.Msg{}, s.problem("admin.passwordNotForced", err), func(*adminData) {})
		return
	}
	if name == u.Name {
		http.Redirect(w, r, "/login", http.StatusSeeOther) // her session has just ended
		return
	}
	s.showAdmin(w, r, u, http.StatusOK, i18n.M("admin.passwordForced", name), i18n.Msg{}, func(*adminData) {})
}
