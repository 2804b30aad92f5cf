package cli

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
)

func TestReportRendering(t *testing.T) {
	secret := "s3cr3t-value"
	r := &Report{Title: "doctor acme", Secrets: []string{secret}, Sections: []Section{
		{Title: "Settings", Rows: []Row{KV("token_url", "https://as.example/token"), KV("leak", "x"+secret+"y"), KV("evil", "a\x1b[2Jb|c"), KV("escaped", "s3cr3t%2dvalue s3cr3t&#45;value")}},
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
		if strings.Contains(out, "s3cr3t%2dvalue") || strings.Contains(out, "s3cr3t&#45;value") {
			t.Errorf("%s leaks the secret escaped:\n%s", name, out)
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

// TestMarkdownKeepsServerTextInert renders a report whose every part holds
// server text with Markdown syntax (GitHub's flavour, by goldmark) and
// looks at the HTML: no link, image or tag comes of it, and each text
// reads as it was written.
func TestMarkdownKeepsServerTextInert(t *testing.T) {
	hostile := []string{
		"[click](https://evil.example/a)",
		"![img](https://evil.example/b.png)",
		"<https://evil.example/c>",
		"see https://evil.example/d now",
		"or www.evil.example/e",
		"[ref]: https://evil.example/f",
		`<img src="https://evil.example/g" onerror=alert(1)>`,
		"&#x202e;txt.exe &lt;b&gt;",
		"**bold** _em_ ~~gone~~ # title",
		"a | b ``x`` `y`",
	}
	var rows []Row
	var checks []check.Check
	for i, h := range hostile {
		rows = append(rows, KV(fmt.Sprintf("key%d %s", i, h), h))
		checks = append(checks, check.Check{Name: h, Status: check.Fail, Detail: h, Hint: h})
	}
	r := &Report{Title: hostile[0], Sections: []Section{
		{Title: hostile[1], Rows: rows},
		{Title: "checks", Checks: checks, Notes: hostile},
		{Title: "columns", Columns: hostile[:2], Rows: []Row{{Key: hostile[2], Values: hostile[3:5], Mark: hostile[0]}}},
	}}
	var md, out bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert(md.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	rendered := out.String()
	tags := regexp.MustCompile(`<(a|img|script)\b|<[^>]*\s(href|src|on[a-z]+)=|\x{202e}`)
	if bad := tags.FindAllString(rendered, -1); bad != nil {
		t.Errorf("the rendered report holds %q:\n%s\n--- from ---\n%s", bad, rendered, md.String())
	}
	text := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(rendered, ""))
	for _, h := range hostile {
		if !strings.Contains(text, h) {
			t.Errorf("the rendered report does not read %q:\n%s", h, text)
		}
	}
}
