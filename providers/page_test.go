package providers

import (
	"strings"
	"testing"
)

func TestReadPage(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		kind       pageKind
		describe   string
	}{
		{"a 200 page of a gateway, with a login link", `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><a href="/login">Sign in</a></body></html>`,
			pageGateway, `an HTML page titled "502 Bad Gateway"`},
		{"a login page", `<!doctype html><html><head><title>Acme</title></head><body><nav>x</nav><h2>Sign in to your account</h2></body>`,
			pageLogin, `an HTML page titled "Acme" (heading "Sign in to your account")`},
		{"a 404 page headed only", `<html><body><h1>Not Found</h1><p>The requested URL was not found.</p>`, pageNotFound, `an HTML page headed "Not Found"`},
		{"nginx's 503", "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>", pageGateway, "503 Service Temporarily Unavailable"},
		{"a title with controls", "<title>\x1b[31mSSO\x1b[0m\u202e login</title>", pageLogin, `titled "SSO login"`},
		{"an unterminated title", "<html><title>Single Sign-On", pageLogin, `titled "Single Sign-On"`},
		// A line of text is a message, never a page kind.
		{"plain text naming upstream", "upstream connect error or disconnect/reset before headers\nmore", pageOther, `"upstream connect error or disconnect/reset before headers"`},
		{"plain text naming authentication", "Client authentication failed", pageOther, `"Client authentication failed"`},
		{"something else", "<html><title>Welcome</title>", pageOther, `titled "Welcome"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pg := readPage([]byte(tt.body))
			if got := pg.kind(); got != tt.kind || !strings.Contains(pg.describe(), tt.describe) {
				t.Fatalf("kind %d %q, want %d holding %q", got, pg.describe(), tt.kind, tt.describe)
			}
			assertTerminalSafe(t, "describe", pg.describe())
		})
	}
}

// TestReadPageBounded: a huge page costs what its first 64 KiB cost, and a
// huge title is cut.
func TestReadPageBounded(t *testing.T) {
	huge := "<html><head><title>" + strings.Repeat("Sign in ", 1<<20) + "</title>" + strings.Repeat("<div>", 1<<20)
	pg := readPage([]byte(huge))
	if n := len([]rune(pg.title)); n > maxPageText || pg.kind() != pageLogin {
		t.Fatalf("title of %d runes, kind %d", n, pg.kind())
	}
	deep := strings.Repeat("<div>", 1<<20) + "<title>late</title>"
	if pg := readPage([]byte(deep)); pg.title != "" {
		t.Fatalf("a title past the bounds was read: %q", pg.title)
	}
}

func BenchmarkReadPage(b *testing.B) {
	body := []byte("<html><head><title>502 Bad Gateway</title></head>" + strings.Repeat("<div>x</div>", 1<<16))
	b.ReportAllocs()
	for b.Loop() {
		readPage(body)
	}
}
