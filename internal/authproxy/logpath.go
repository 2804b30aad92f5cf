package authproxy

import (
	"net/url"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers"
)

// maxLogPath bounds the path shown in a log line (runes).
const maxLogPath = 300

// secretWords are parts of query keys whose values are never logged.
var secretWords = [...]string{"token", "secret", "key", "pass", "auth", "sig", "code", "session", "cred", "jwt", "bearer", "cookie", "ticket", "nonce"}

// logPath is u's path and query for the log: escaped (so no control
// character reaches the log), the given secrets replaced wherever they
// appear, and a query value shown only when its key names no secret and
// the value does not look like one (see secretLooking); cut to 300 runes.
func logPath(u *url.URL, secrets []string) string {
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + logQuery(u.RawQuery)
	}
	for _, s := range secrets {
		if len(s) >= providers.MinRedactLen {
			path = strings.ReplaceAll(path, s, providers.Redacted)
			path = strings.ReplaceAll(path, url.QueryEscape(s), providers.Redacted)
		}
	}
	return providers.Truncate(path, maxLogPath)
}

// logQuery is a raw query with the values that may be secret replaced.
func logQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			val = v
		}
		if v != "" && (secretKey(key) || secretLooking(val)) {
			v = providers.Redacted
		}
		parts[i] = url.QueryEscape(key)
		if strings.Contains(part, "=") {
			parts[i] += "=" + escapeShown(v)
		}
	}
	return strings.Join(parts, "&")
}

// escapeShown escapes a shown value, leaving the redaction mark as it is.
func escapeShown(v string) string {
	if v == providers.Redacted {
		return v
	}
	val, err := url.QueryUnescape(v)
	if err != nil {
		val = v
	}
	return url.QueryEscape(val)
}

// secretKey reports a query key that names a secret (access_token,
// api_key, sig, code, …).
func secretKey(k string) bool {
	k = strings.ToLower(k)
	return slices.ContainsFunc(secretWords[:], func(w string) bool { return strings.Contains(k, w) })
}

// secretLooking reports a value that may be a token or a key: a run of 16
// or more characters of the base64 and hex alphabets with both letters and
// digits (a JWT, an API key, a hex digest), which page=2, sort=name or a
// date do not have.
func secretLooking(v string) bool {
	run, letters, digits := 0, false, false
	for i := 0; i <= len(v); i++ {
		if i < len(v) && isKeyChar(v[i]) {
			run++
			c := v[i]
			letters = letters || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			digits = digits || (c >= '0' && c <= '9')
			continue
		}
		if run >= 16 && letters && digits {
			return true
		}
		run, letters, digits = 0, false, false
	}
	return false
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+' || c == '/' || c == '=' || c == '.'
}
