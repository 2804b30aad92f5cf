package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// readDeviceAuthorization reads a device authorization answer (RFC 8628
// §3.2) received at now: the codes, the verification URI (http or https,
// or refused), verification_uri_complete when usable, and expires_in and
// interval within the bounds. The body is at most MaxBodyBytes already.
func readDeviceAuthorization(body []byte, p Provider, now time.Time) (*DeviceAuthorization, error) {
	bad := func(format string, args ...any) error {
		return &Error{Kind: KindResponse, Provider: p.Name, peer: "the device authorization endpoint",
			Description: "unusable device authorization answer: " + fmt.Sprintf(format, args...),
			Hint:        "check device_authorization_url: the server should answer as RFC 8628 §3.2 says"}
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(body)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, bad("not a JSON object")
	}
	str := func(k string) string { s, _ := m[k].(string); return strings.TrimSpace(s) }
	da := &DeviceAuthorization{Started: now, deviceCode: str("device_code")}
	if da.deviceCode == "" || len(da.deviceCode) > maxDeviceCode || !printableASCII(da.deviceCode) {
		return nil, bad("no usable device_code (printable ASCII, at most %d bytes)", maxDeviceCode)
	}
	da.UserCode = safetext.Line(str("user_code"))
	if da.UserCode == "" || len(da.UserCode) > maxUserCode {
		return nil, bad("no usable user_code (at most %d bytes)", maxUserCode)
	}
	uri := str("verification_uri")
	if uri == "" {
		uri = str("verification_url") // Google's spelling
	}
	// What is shown is the sanitised URI, so that is what must be http(s).
	if uri = safetext.Line(uri); !httpURL(uri) || len(uri) > maxVerificationURI {
		return nil, bad("the verification URI %q is not an http(s) URL; tokentop will not send you there", safetext.Truncate(uri, 200))
	}
	da.VerificationURI = uri
	if complete := safetext.Line(str("verification_uri_complete")); httpURL(complete) && len(complete) <= maxVerificationURI {
		da.VerificationURIComplete = complete
	}
	var err error
	if da.ExpiresIn, err = boundedSeconds(m["expires_in"], 0, MaxDeviceWait); err != nil || da.ExpiresIn <= 0 {
		return nil, bad("expires_in is missing or not a positive number of seconds")
	}
	if da.Interval, err = boundedSeconds(m["interval"], DefaultDeviceInterval, MaxDeviceInterval); err != nil {
		return nil, bad("interval is not a number of seconds")
	}
	da.Interval = max(da.Interval, MinDeviceInterval)
	return da, nil
}

// maxVerificationURI bounds a verification URI (a QR code holds at most
// 512 bytes here anyway).
const maxVerificationURI = 2048

// httpURL reports an absolute http or https URL with a host.
func httpURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https")
}

// boundedSeconds reads a number of seconds (a JSON number or a numeric
// string) as a duration cut to at most hi; absent is def.
func boundedSeconds(v any, def, hi time.Duration) (time.Duration, error) {
	if v == nil {
		return def, nil
	}
	f, err := number(v)
	if err != nil {
		return 0, err
	}
	if f < 0 {
		return 0, fmt.Errorf("negative")
	}
	if f >= hi.Seconds() {
		return hi, nil
	}
	return time.Duration(f * float64(time.Second)), nil
}

// printableASCII reports whether s holds only printable ASCII (RFC 6749
// appendix A's VSCHAR, which device codes and tokens are made of).
func printableASCII(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) < 0
}
