package lazyre

import (
	"sync"
	"testing"
)

// words is declared as tokentop's packages declare theirs.
var words = &Regexp{Expr: `(?i)\b(not found|404)\b`}

// TestGetCompilesOnceAndMatches: Get compiles Expr on first use, hands
// every caller (several goroutines at once) the same compiled expression,
// and it matches as regexp would.
func TestGetCompilesOnceAndMatches(t *testing.T) {
	r := &Regexp{Expr: `^[a-z]+$`}
	if r.re != nil {
		t.Fatal("compiled before its first use")
	}
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Go(func() { got[i] = r.Get() })
	}
	wg.Wait()
	for i, re := range got {
		if re != got[0] || re == nil {
			t.Fatalf("caller %d got %p, caller 0 %p: not one compiled expression", i, re, got[0])
		}
	}
	if !r.Get().MatchString("abc") || r.Get().MatchString("abc1") {
		t.Errorf("%s matches differently from regexp", r.Expr)
	}
	if !words.Get().MatchString("Page Not Found") || words.Get().MatchString("founder") {
		t.Errorf("%s matches differently from regexp", words.Expr)
	}
}

// TestGetPanicsOnABadExpression, as regexp.MustCompile does.
func TestGetPanicsOnABadExpression(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for an expression that does not compile")
		}
	}()
	(&Regexp{Expr: `(`}).Get()
}
