package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// The device login's part of the login overlay (grant device_code, RFC
// 8628): where to go, the code and a QR code drawn by
// providers.DevicePrompt at the overlay's width (left out when it does
// not fit), the code's life counting down, and what the polls said.

// deviceLogin is the overlay's device part, once the login started.
type deviceLogin struct {
	auth *providers.DeviceAuthorization
	// prompt is auth drawn for promptW cells: drawn again only when the
	// width changes, not every tick.
	prompt  string
	promptW int
	// polls counts the answers that kept the login waiting; pollNote
	// is what the last said, when it said more than "pending".
	polls    int
	interval time.Duration
	pollNote string
}

func (d *deviceLogin) started() bool { return d.auth != nil }

// deviceStep is a step of a device login: the login started (auth), or
// a poll answered (code and the interval that follows).
type deviceStep struct {
	auth     *providers.DeviceAuthorization
	code     string
	interval time.Duration
}

// SetDevice shows a started device login.
func (v *loginView) SetDevice(da providers.DeviceAuthorization) {
	v.dev = deviceLogin{auth: &da, interval: da.Interval}
	v.render()
}

// SetPoll shows what the server answered a poll.
func (v *loginView) SetPoll(code string, interval time.Duration) {
	d := &v.dev
	d.polls++
	if interval > d.interval && code == "slow_down" {
		d.pollNote = "the server asked tokentop to check less often"
	}
	d.interval = interval
	v.render()
}

// devicePrompt is the device login's prompt and how the wait goes.
func (v *loginView) devicePrompt(width int) string {
	d := &v.dev
	if d.prompt == "" || d.promptW != width {
		d.prompt, d.promptW = strings.TrimRight(providers.DevicePrompt(*d.auth, width), "\n"), width
	}
	left := max(d.auth.Deadline().Sub(v.now), 0)
	wait := fmt.Sprintf("%s waiting for you to finish · checked %d times, every %s · the code is valid for another %s",
		v.spin, d.polls, d.interval, countdown(left))
	if d.pollNote != "" {
		wait += " · " + d.pollNote
	}
	return d.prompt + "\n\n" + v.st.Muted.Render(wrapText(wait, width))
}

// onDeviceStep shows a device login's step in the overlay.
func (m *Model) onDeviceStep(s deviceStep) {
	switch {
	case s.auth != nil:
		m.login.SetDevice(*s.auth)
	case s.code != "":
		m.login.SetPoll(s.code, s.interval)
	}
}

// device hooks a login's device prompt and polls to its steps.
func (r loginRun) device(o *providers.LoginOptions, step func(loginStepMsg)) {
	o.ShowDevice = func(da providers.DeviceAuthorization) {
		// What the overlay needs, sanitised; never the device code.
		shown := providers.DeviceAuthorization{
			UserCode: safetext.Line(da.UserCode), VerificationURI: safetext.Line(da.VerificationURI),
			VerificationURIComplete: safetext.Line(da.VerificationURIComplete),
			ExpiresIn:               da.ExpiresIn, Interval: da.Interval, Started: da.Started,
		}
		step(loginStepMsg{dev: deviceStep{auth: &shown}})
	}
	o.DevicePoll.OnAnswer = func(code string, interval time.Duration) {
		step(loginStepMsg{dev: deviceStep{code: safetext.Line(code), interval: interval}})
	}
}
