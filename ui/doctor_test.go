package ui

import (
	"testing"
)

// TestDoctorKey: D runs the doctor on the selected provider and shows
// each step; r runs it again with a new token, which the sandbox issues.
func TestDoctorKey(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	issued := e.sb.TotalIssued()
	press(tm, "D")
	waitFor(t, tm, "Doctor cognito-dev", "settings", "auth methods", "token request", "test-call", "200 OK", "no failures")
	waitFor(t, tm, "The cached token was checked")
	if n := e.sb.TotalIssued(); n != issued {
		t.Fatalf("the doctor fetched %d tokens although one was cached", n-issued)
	}
	press(tm, "r")
	waitForScreen(t, tm, 120, 40, "Doctor cognito-dev", "token request", "200 from", "no failures")
	if n := e.sb.TotalIssued(); n != issued+1 {
		t.Fatalf("r issued %d tokens, want 1", n-issued)
	}
	press(tm, "esc")
	waitFor(t, tm, "cognito-dev")
	final(t, tm)
}

// TestDoctorKeyExplainsAFailure: a provider with a wrong secret gets the
// failed step with its hint, and the steps after it are skipped.
func TestDoctorKeyExplainsAFailure(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "broken")
	press(tm, "D")
	waitFor(t, tm, "Doctor broken", "invalid_client", "both secret styles were refused", "1 failed")
	final(t, tm)
}

// TestHelpOverDoctorGoesBack: ? over the doctor lists its keys, and closing
// the help goes back to the doctor, whose keys work again (not to the
// table).
func TestHelpOverDoctorGoesBack(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "D")
	waitFor(t, tm, "Doctor cognito-dev", "no failures")
	press(tm, "?")
	waitFor(t, tm, "Keys", "again, with a new token")
	press(tm, "esc")
	waitFor(t, tm, "Doctor cognito-dev", "no failures")
	issued := e.sb.TotalIssued()
	press(tm, "r") // the doctor's again; the table's r would refresh instead
	waitForScreen(t, tm, 120, 40, "Doctor cognito-dev", "200 from", "no failures")
	final(t, tm)
	if n := e.sb.TotalIssued(); n != issued+1 {
		t.Fatalf("r issued %d tokens, want 1", n-issued)
	}
}
