package providers

import "testing"

func TestNotActiveError(t *testing.T) {
	e := NotActiveError("acme")
	if e.Kind != KindResponse || e.Hint != "fetch a new one: tokentop token acme --force-refresh" || e.Error() != "acme: the server says the token is not active (expired, revoked, or not one it issued)" {
		t.Fatalf("%+v", e)
	}
}
