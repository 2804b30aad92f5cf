package sandbox

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// verifyView is what the verification page shows.
type verifyView struct {
	Client, UserCode, Message string
	Done                      bool
}

// handleVerifyPage shows the pending login of ?user_code=, or asks for a
// code.
func (s *Server) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	code := normaliseUserCode(r.URL.Query().Get("user_code"))
	v := verifyView{}
	if code != "" {
		now := s.now()
		s.dev.mu.Lock()
		dc := s.dev.byUser(code)
		if dc != nil && dc.state == devicePending && now.Before(dc.expires) {
			v.Client, v.UserCode = dc.client.Name, dc.userCode
		} else {
			v.Message = "That code is unknown, expired or already used."
		}
		s.dev.mu.Unlock()
	}
	renderVerify(w, http.StatusOK, v)
}

// handleVerifyDecision approves or denies the login of the posted code.
func (s *Server) handleVerifyDecision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		renderVerify(w, http.StatusBadRequest, verifyView{Message: "The form could not be read."})
		return
	}
	code := r.PostForm.Get("user_code")
	var ok bool
	var done string
	switch r.PostForm.Get("action") {
	case "approve":
		ok, done = s.ApproveDevice(code), "Approved: you may return to your device."
	case "deny":
		ok, done = s.DenyDevice(code), "Denied: the device will not be signed in."
	default:
		renderVerify(w, http.StatusBadRequest, verifyView{Message: "Choose Approve or Deny."})
		return
	}
	if !ok {
		renderVerify(w, http.StatusBadRequest, verifyView{Message: "That code is unknown, expired or already used."})
		return
	}
	renderVerify(w, http.StatusOK, verifyView{Message: done, Done: true})
}

// renderVerify writes the verification page: the code to approve, the
// client that asks, and Approve and Deny; or a form to type a code into.
// Every value is HTML-escaped. (Written by hand: html/template would
// link its package, and its init, into every tokentop process.)
func renderVerify(w http.ResponseWriter, status int, v verifyView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Sandbox device login</title></head>\n<body>\n<h1>Sandbox device login</h1>\n")
	if v.Message != "" {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(v.Message))
	}
	switch {
	case v.Client != "":
		code := html.EscapeString(v.UserCode)
		fmt.Fprintf(&b, "<p><b>%s</b> asks to sign in as Sandbox User with the code</p>\n", html.EscapeString(v.Client))
		fmt.Fprintf(&b, "<p style=\"font-size:2em;font-family:monospace\">%s</p>\n<p>Check that it is the code your device shows.</p>\n", code)
		fmt.Fprintf(&b, "<form method=\"post\"><input type=\"hidden\" name=\"user_code\" value=\"%s\">\n", code)
		b.WriteString("<button name=\"action\" value=\"approve\">Approve</button> <button name=\"action\" value=\"deny\">Deny</button></form>\n")
	case !v.Done:
		b.WriteString("<form method=\"get\"><label>Code: <input name=\"user_code\" autocomplete=\"off\"></label> <button>Continue</button></form>\n")
	}
	b.WriteString("</body></html>\n")
	_, _ = w.Write([]byte(b.String()))
}
