package providers

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokentop/tokentop/internal/qrtext"
	"github.com/tokentop/tokentop/providers/safetext"
)

// DevicePrompt is what a device login shows the user, as text for a
// terminal, an overlay or an SSH session width cells wide: where to go,
// the code to enter and, when it fits in width, a QR code of the
// verification URI with the code in it (else of the plain one) for a
// phone's camera. A QR code that does not fit is left out, never cut.
// Every string is sanitised here again: d's fields are exported.
func DevicePrompt(d DeviceAuthorization, width int) string {
	uri := safetext.Line(d.VerificationURI)
	code := safetext.Line(d.UserCode)
	var b strings.Builder
	fmt.Fprintf(&b, "To log in, open\n\n  %s\n\nand enter the code\n\n  %s\n", uri, code)
	if qr := devicePromptQR(d, width); qr != "" {
		b.WriteString("\nor scan this with your phone:\n\n")
		b.WriteString(qr)
		b.WriteByte('\n')
	}
	if d.ExpiresIn > 0 {
		fmt.Fprintf(&b, "\nThe code is valid for %s.\n", roundedWait(d.ExpiresIn))
	}
	return b.String()
}

// devicePromptQR is the QR code of the complete verification URI (else
// the plain one) when it fits in width, else "".
func devicePromptQR(d DeviceAuthorization, width int) string {
	target := safetext.Line(d.VerificationURIComplete)
	if target == "" {
		target = safetext.Line(d.VerificationURI)
	}
	if target == "" {
		return ""
	}
	qr, w, err := qrtext.Render(target)
	if err != nil || w > width {
		return ""
	}
	return qr
}

// roundedWait is a wait as a person says it: "10 minutes", "90 seconds".
func roundedWait(d time.Duration) string {
	switch {
	case d >= 2*time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	case d >= 2*time.Minute:
		return fmt.Sprintf("about %d minutes", int((d+30*time.Second)/time.Minute))
	}
	return fmt.Sprintf("%d seconds", int(d.Round(time.Second)/time.Second))
}
