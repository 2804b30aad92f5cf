package cli

import (
	"fmt"
	"os/exec"
	"runtime"
)

// openBrowser opens url with the platform's opener (xdg-open, open,
// rundll32), its output discarded: nothing it prints reaches the
// terminal unsanitised. It does not wait for the browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("opening a browser: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reap it
	return nil
}
