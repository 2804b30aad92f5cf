package cli

import (
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// `tokentop call` and the doctor explain an API that trusts another
// issuer with the same words: the token's iss and the fix.
func TestCallAndDoctorExplainAnotherIssuer(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	url := e.url + sandbox.PathProdAPI + "?as=express"
	_, errOut, code := e.run("", "call", "cognito-dev", url)
	want := "the API trusts issuer " + sandbox.ProdIssuer + ", and cognito-dev's token comes from " + e.url
	if code != ExitFailure || !strings.Contains(errOut, "does not trust the token's issuer "+e.url) || !strings.Contains(errOut, want) {
		t.Fatalf("call: exit %d\n%s", code, errOut)
	}
	out, _, code := e.run("", "doctor", "cognito-dev", "--endpoint", url)
	if code != ExitFailure || !strings.Contains(out, "[FAIL] test-call") || !strings.Contains(out, want) {
		t.Fatalf("doctor: exit %d\n%s", code, out)
	}
}
