package testsupport

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// WaitLimit bounds every wait: generous, for loaded CI machines. It is a
// bound on a broken run, not a timing asserted: a wait that reaches it
// fails the test.
const WaitLimit = time.Minute

// pollEvery is how often a wait looks again.
const pollEvery = 10 * time.Millisecond

// Eventually polls cond until it holds; after WaitLimit it fails the test,
// saying it waited for what.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll(t, pollEvery, nil, cond, func() string { return "waited " + WaitLimit.String() + " for " + what })
}

// WaitForText polls read until what it returns contains every one of
// texts, and returns that; after WaitLimit it fails the test with the last
// text read.
func WaitForText(t testing.TB, read func() string, texts ...string) string {
	t.Helper()
	return WaitForTextNudging(t, pollEvery, nil, read, texts...)
}

// WaitForTextNudging is WaitForText that calls nudge (when not nil) and
// waits every before looking again: for a screen that shows new text only
// when asked to paint itself again.
func WaitForTextNudging(t testing.TB, every time.Duration, nudge func(), read func() string, texts ...string) string {
	t.Helper()
	var last string
	poll(t, every, nudge, func() bool {
		last = read()
		return ContainsAll(last, texts...)
	}, func() string {
		return fmt.Sprintf("waited %s for %q; the last text read:\n%s", WaitLimit, texts, last)
	})
	return last
}

// WaitForMatch polls read until re matches what it returns, and returns
// the match and its submatches (as re.FindStringSubmatch); after WaitLimit
// it fails the test with the last text read.
func WaitForMatch(t testing.TB, read func() string, re *regexp.Regexp) []string {
	t.Helper()
	var last string
	var m []string
	poll(t, pollEvery, nil, func() bool {
		last = read()
		m = re.FindStringSubmatch(last)
		return m != nil
	}, func() string {
		return fmt.Sprintf("waited %s for a match of %s; the last text read:\n%s", WaitLimit, re, last)
	})
	return m
}

// ContainsAll reports whether s contains every one of texts.
func ContainsAll(s string, texts ...string) bool {
	for _, text := range texts {
		if !strings.Contains(s, text) {
			return false
		}
	}
	return true
}

// poll calls cond until it holds, calling nudge and sleeping every between
// tries; after WaitLimit it fails the test with failure's words.
func poll(t testing.TB, every time.Duration, nudge func(), cond func() bool, failure func() string) {
	t.Helper()
	deadline := time.Now().Add(WaitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(failure())
		}
		if nudge != nil {
			nudge()
		}
		time.Sleep(every)
	}
}
