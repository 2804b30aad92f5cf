package ui

import "github.com/tokentop/tokentop/providers"

// deviceLogin is the device login's part of the login overlay; this
// build has no device login, so it never starts.
type deviceLogin struct{}

func (deviceLogin) started() bool { return false }

func (v *loginView) devicePrompt(int) string { return "" }

// deviceStep is a device login's step; this build has none.
type deviceStep struct{}

// onDeviceStep shows a device login's step.
func (m *Model) onDeviceStep(deviceStep) {}

// device sets a login's device prompt callbacks.
func (r loginRun) device(*providers.LoginOptions, func(loginStepMsg)) {}
