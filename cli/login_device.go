package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/tokentop/tokentop/providers"
)

// defaultPromptWidth is the width a device login's prompt is drawn for
// when it does not go to a terminal.
const defaultPromptWidth = 80

// withDevicePrompt fills in how `tokentop login` shows a device login
// (grant device_code, RFC 8628) on stderr, where a browser login's URL
// goes too: where to go, the code and, when it fits the terminal's
// width, a QR code (providers.DevicePrompt); then a line for each
// slow_down. The App's Sleep, when set, replaces the wait between polls.
func (a *App) withDevicePrompt(lo *providers.LoginOptions, name string) {
	width := promptWidth(a.Stderr)
	lo.ShowDevice = func(d providers.DeviceAuthorization) {
		fmt.Fprintf(a.errOut, "Logging in to %s.\n\n%s\n", name, providers.DevicePrompt(d, width))
		fmt.Fprintf(a.errOut, "Waiting for you to finish (checking every %s; Ctrl+C gives up)…\n", d.Interval)
	}
	lo.DevicePoll = providers.DevicePollOptions{
		Sleep: a.Sleep,
		OnAnswer: func(code string, interval time.Duration) {
			if code == "slow_down" {
				fmt.Fprintf(a.errOut, "The server asked tokentop to check less often: every %s now.\n", interval)
			}
		},
	}
}

// promptWidth is the width in cells of the terminal w is, else 80.
func promptWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return defaultPromptWidth
	}
	if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
		return width
	}
	return defaultPromptWidth
}
