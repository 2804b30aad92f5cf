package cli

import (
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
)

func TestReportRendering(t *testing.T) {
	secret := "s3cr3t-value"
	r := &Report{Title: "doctor acme", Secrets: []string{secret}, Sections: []Section{
		{Title: "Settings", Rows: []Row{KV("token_url", "https://as.example/token"), KV("leak", "x"+secret+"y"), KV("evil", "a\x1b[2Jb|c")}},
		{Title: "Steps", Checks: []check.Check{
			{Name: "dns", Status: check.Pass, Detail: "as.example resolves"},
			{Name: "token", Status: check.Fail, Detail: "invalid_client", Hint: "try `auth_style: post`"},
			{Name: "jwt", Status: check.Skip, Detail: "no token"},
		}},
		{Title: "Side by side", Columns: []string{"sandbox", "prod"}, Rows: []Row{
			{Key: "issuer", Values: []string{"https://sandbox.example.com/tenant/very/long/path", "https://prod.example.com"}, Mark: "≠"}}},
	}}
	if !r.Failed() || strings.Join(r.FailedChecks(), ",") != "token" {
		t.Errorf("failed %v %v", r.Failed(), r.FailedChecks())
	}
	var text, md strings.Builder
	if err := r.WriteText(&text, 80); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if strings.Contains(out, secret) || strings.Contains(out, "\x1b") {
			t.Errorf("%s leaks a secret or an escape:\n%s", name, out)
		}
		if !strings.Contains(out, providers.Redacted) {
			t.Errorf("%s: the secret is not marked redacted:\n%s", name, out)
		}
	}
	for _, want := range []string{"[ ok ] dns", "[FAIL] token", "hint: try `auth_style: post`", "[skip] jwt", "issuer             ≠  https://sandb…very/long/path  https://prod.example.com"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"### doctor acme", "| ❌ **fail** | token | invalid\\_client | try \\`auth\\_style: post\\` |", "| evil | `ab\\|c` |", "| | sandbox | prod | |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestTokenPreview(t *testing.T) {
	for tok, want := range map[string]string{
		"":                               "(none)",
		"short":                          "… (5 chars)",
		"abcdefghijklmnopqrstu":          "abcd… (21 chars)",
		strings.Repeat("x", 50) + "wxyz": "xxxxxxxx…wxyz (54 chars)",
	} {
		if got := TokenPreview(tok); got != want {
			t.Errorf("TokenPreview(%q) = %q, want %q", tok, got, want)
		}
	}
}
