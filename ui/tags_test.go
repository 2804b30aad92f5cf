package ui

import "testing"

// TestTaggerRules: each kind's answers count by its rule: the last request
// (per provider for a refresh, until it is done), anything newer than the
// reload shown, or every answer.
func TestTaggerRules(t *testing.T) {
	tg := newTagger()

	call1 := tg.next(reqCall, "a")
	call2 := tg.next(reqCall, "b")
	if !tg.stale(call1) || tg.stale(call2) {
		t.Fatal("a test-call's answer counts only when it is the last one asked for, whatever the provider")
	}

	ra, rb := tg.next(reqRefresh, "a"), tg.next(reqRefresh, "b")
	if tg.stale(ra) || tg.stale(rb) {
		t.Fatal("a refresh of b made a's stale")
	}
	ra2 := tg.next(reqRefresh, "a")
	if !tg.stale(ra) || tg.stale(ra2) || !tg.inFlight(reqRefresh, "a") {
		t.Fatal("a second refresh of a should replace the first")
	}
	tg.done(reqRefresh, "a")
	if !tg.stale(ra2) || tg.inFlight(reqRefresh, "a") || !tg.anyInFlight(reqRefresh) {
		t.Fatal("a finished refresh should be out of flight, its late answer stale, b's still in flight")
	}
	tg.done(reqRefresh, "b")
	if tg.anyInFlight(reqRefresh) {
		t.Fatal("no refresh is in flight")
	}

	l1, l2 := tg.next(reqReload, ""), tg.next(reqReload, "")
	if tg.stale(l1) || tg.stale(l2) {
		t.Fatal("no reload was shown yet: every answer counts")
	}
	tg.applied(l2)
	if !tg.stale(l1) || !tg.stale(l2) {
		t.Fatal("a reload older than (or as old as) the one shown should be stale")
	}
	if l3 := tg.next(reqReload, ""); tg.stale(l3) {
		t.Fatal("a newer reload should count")
	}

	s1, s2 := tg.next(reqSave, "a"), tg.next(reqSave, "b")
	if tg.stale(s1) || tg.stale(s2) || tg.stale(changeMsg{}.tag()) {
		t.Fatal("every save and every change counts")
	}
}
