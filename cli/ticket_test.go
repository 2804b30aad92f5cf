package cli

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
)

func TestTicketExchangeBounds(t *testing.T) {
	body := strings.Repeat("x", 5000) + "TAIL"
	ex := providers.Exchange{Method: "POST", URL: "https://a.example/token", Status: 401, Started: time.Now(),
		RequestHeaders:  http.Header{"Authorization": {"Basic [redacted]"}},
		ResponseHeaders: http.Header{"Www-Authenticate": {`Basic realm="x"`}},
		ResponseBody:    body, RequestBody: "grant_type=client_credentials&client_secret=[redacted]"}
	lines := exchangeLines(ex)
	all := strings.Join(lines, "\n")
	if strings.Contains(all, "TAIL") || !strings.HasSuffix(all, "… (5004 bytes in all)") || !strings.Contains(all, "\n401 Unauthorized\nWww-Authenticate: Basic realm=\"x\"\n") {
		t.Fatalf("lines:\n%s", all)
	}
	// The failing exchange is the run's first failure, not an older one
	// nor the retry's success.
	t0 := time.Now()
	history := []providers.Exchange{
		{Started: t0.Add(2 * time.Second), Status: 200},
		{Started: t0.Add(time.Second), Status: 401, Error: "refused", URL: "first"},
		{Started: t0.Add(-time.Second), Status: 401, Error: "before the run"},
	}
	if got := failingExchange(history, t0); got == nil || got.URL != "first" {
		t.Fatalf("failing exchange %+v", got)
	}
	if got := failingExchange(history[:1], t0); got != nil {
		t.Fatalf("a success is no failing exchange: %+v", got)
	}

	// A fence inside the exchange does not end the code block, and control
	// bytes and secrets do not get through.
	r := &Report{Secrets: []string{"s3cret-value"}, Sections: []Section{{Pre: []string{"a ``` b", "c \x1b[31m s3cret-value"}}}}
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if md := b.String(); !strings.HasPrefix(md, "\n````\na ``` b\n") || strings.Contains(md, "\x1b") || strings.Contains(md, "s3cret-value") {
		t.Fatalf("markdown %q", md)
	}
}
