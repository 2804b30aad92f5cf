package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/store"
)

// Component is what the root asks of every part of the screen: it updates
// itself from a message (it gets keys only while it has the focus), renders
// itself in the size the root gave it, and lists its keys for the help bar.
// Components are pointers owned by the root model; they do no I/O: they
// return commands or emit intents for the root.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	help.KeyMap
}

// bus carries intents from a component to the root within the same
// Update: the root drains it right after the component returns, so a
// change of focus ("/" then typing) never races the next key.
type bus struct{ q []tea.Msg }

// emit queues an intent; it returns no command, so it can end a case.
func (b *bus) emit(msg tea.Msg) tea.Cmd {
	if b == nil {
		return nil
	}
	b.q = append(b.q, msg)
	return nil
}

// next pops the oldest intent.
func (b *bus) next() (tea.Msg, bool) {
	if len(b.q) == 0 {
		return nil, false
	}
	msg := b.q[0]
	b.q = b.q[1:]
	return msg, true
}

// ---- intents: a component asks the root to act ----

// intent is a message a component emits on the bus for the root to act
// on; the root handles it in the same Update.
type intent interface{ isIntent() }

type refreshIntent struct{ name string }
type refreshAllIntent struct {
	// confirmed: the user said yes to spending tokens of providers past
	// 80 % of their quota; skipHot: refresh all but those.
	confirmed, skipHot bool
}
type copyIntent struct{ name string }
type copyCurlIntent struct{ name string }
type testCallIntent struct{ name string }
type addIntent struct{}
type editIntent struct{ name string }
type deleteIntent struct{ name string }
type autoToggleIntent struct{ name string }

// doctorIntent asks for a diagnosis of name; fetch asks the token
// endpoint for a new token even when the cached one is good.
type doctorIntent struct {
	name  string
	fetch bool
}
type filterIntent struct{}
type sortIntent struct{}        // the next order
type reverseSortIntent struct{} // the same column, the other way

// sortByIntent asks for the order by a column (its title clicked): the
// same column again reverses it.
type sortByIntent struct{ col colID }
type toggleDetailIntent struct{}
type focusDetailIntent struct{ on bool }

// paletteIntent opens the command palette.
type paletteIntent struct{}

// selectIntent puts the table's cursor on a provider (the palette's jump).
type selectIntent struct{ name string }

// scrollDetailIntent scrolls the detail beside or under the table by
// pages (negative: up) or lines.
type scrollDetailIntent struct{ pages, lines int }
type helpIntent struct{}
type closeIntent struct{}
type quitIntent struct{}

// lockedIntent is a key pressed for an action a read-only session turned
// off; what is the action's name.
type lockedIntent struct{ what string }

// filterChangedIntent carries the filter text as it is typed; done says
// the input gave the focus back.
type filterChangedIntent struct {
	text string
	done bool
}

// callIntent asks for a test-call of req, labelled for the status line.
type callIntent struct {
	name  string
	label string
	req   providers.CallRequest
}

// saveIntent carries a provider from the form; isNew is false on edit.
type saveIntent struct {
	p     providers.Provider
	isNew bool
}

// deleteConfirmedIntent is the confirmation's yes.
type deleteConfirmedIntent struct{ name string }

func (refreshIntent) isIntent()         {}
func (refreshAllIntent) isIntent()      {}
func (copyIntent) isIntent()            {}
func (copyCurlIntent) isIntent()        {}
func (testCallIntent) isIntent()        {}
func (addIntent) isIntent()             {}
func (editIntent) isIntent()            {}
func (deleteIntent) isIntent()          {}
func (autoToggleIntent) isIntent()      {}
func (doctorIntent) isIntent()          {}
func (filterIntent) isIntent()          {}
func (sortIntent) isIntent()            {}
func (reverseSortIntent) isIntent()     {}
func (sortByIntent) isIntent()          {}
func (toggleDetailIntent) isIntent()    {}
func (focusDetailIntent) isIntent()     {}
func (scrollDetailIntent) isIntent()    {}
func (paletteIntent) isIntent()         {}
func (selectIntent) isIntent()          {}
func (helpIntent) isIntent()            {}
func (closeIntent) isIntent()           {}
func (quitIntent) isIntent()            {}
func (lockedIntent) isIntent()          {}
func (filterChangedIntent) isIntent()   {}
func (callIntent) isIntent()            {}
func (saveIntent) isIntent()            {}
func (deleteConfirmedIntent) isIntent() {}

// ---- results: every async result carries a tag ----

// result is a command's answer; its tag names the request it answers, and
// the root drops it when the tagger says it is stale.
type result interface{ tag() reqTag }

// tickMsg is the one clock: sent every second, with the configured clock's
// time (tests send it with a fixed time).
type tickMsg struct {
	now time.Time
	id  uint64
}

// summariesMsg is a reload of every provider's summary.
type summariesMsg struct {
	seq  uint64
	sums []store.Summary
	err  error
}

// feedMsg is the store's change feed started (ch), or not (err).
type feedMsg struct {
	ch  <-chan store.Change
	err error
}

// changeMsg is one change from the feed ch; ok is false when the feed
// ended.
type changeMsg struct {
	ch     <-chan store.Change
	change store.Change
	ok     bool
}

// refreshedMsg is the end of one token fetch.
type refreshedMsg struct {
	name string
	seq  uint64
	auto bool
	res  *store.TokenResult
	err  error
}

// detailDataMsg is what the detail needs beyond the summary: the decoded
// claims (from the decrypted token, which never leaves the command except
// masked) and the flight recorder.
type detailDataMsg struct {
	name     string
	seq      uint64
	masked   string
	claims   *jwtclaims.Claims
	claimErr string
	history  []providers.Exchange
	// historyTotal counts the exchanges kept; history holds the newest few.
	historyTotal int
	// quota is the ledger over the quota's period, for the chart.
	quota *store.QuotaHistory
	// jwtScope is the scope claim of a JWT, shown when the response
	// granted none.
	jwtScope string
	// session is a user grant's refresh and ID tokens, masked, and the
	// ID token's claims.
	session sessionData
	err     error
}

// copyKind is what a copy put on the clipboard: the token is a secret
// (the clipboard is cleared after it, and copying it may have fetched a
// new one); a curl command holds none.
type copyKind uint8

const (
	copiedToken copyKind = iota + 1
	copiedCurl
)

// copiedMsg reports a copy to the clipboard(s); what is how the status
// line names what was copied ("token", "curl command for items").
type copiedMsg struct {
	name string
	seq  uint64
	kind copyKind
	what string
	via  []string
	warn string
	err  error
}

// clipClearMsg is the tagged timer that clears the clipboard.
type clipClearMsg struct{ seq uint64 }

// clipClearedMsg reports the clearing.
type clipClearedMsg struct {
	seq uint64
	err error
}

// callDoneMsg is the end of a test-call.
type callDoneMsg struct {
	name  string
	seq   uint64
	label string
	req   providers.CallRequest
	res   *providers.CallResult
	// why explains a 401 or 403 (providers.ExplainCall), nil otherwise.
	why    *headers.APIRefusal
	err    error
	record error
}

// savedMsg reports a provider saved by the form.
type savedMsg struct {
	seq   uint64
	name  string
	isNew bool
	err   error
}

// deletedMsg reports a provider deleted.
type deletedMsg struct {
	seq  uint64
	name string
	err  error
}

// statusTimeoutMsg clears the status line if nothing newer replaced it.
type statusTimeoutMsg struct{ seq uint64 }

// doctorStepMsg is one finished step of a diagnosis; next delivers the
// following messages of the same run.
type doctorStepMsg struct {
	name  string
	seq   uint64
	check check.Check
	next  <-chan tea.Msg
}

// doctorDoneMsg ends a diagnosis; err is a failure to run it at all (an
// unknown provider, an unreadable store).
type doctorDoneMsg struct {
	name string
	seq  uint64
	diag *doctor.Diagnosis
	err  error
}

func (m summariesMsg) tag() reqTag   { return reqTag{kind: reqReload, seq: m.seq} }
func (feedMsg) tag() reqTag          { return reqTag{kind: reqFeed} }
func (changeMsg) tag() reqTag        { return reqTag{kind: reqFeed} }
func (m refreshedMsg) tag() reqTag   { return reqTag{kind: reqRefresh, name: m.name, seq: m.seq} }
func (m detailDataMsg) tag() reqTag  { return reqTag{kind: reqDetail, name: m.name, seq: m.seq} }
func (m copiedMsg) tag() reqTag      { return reqTag{kind: reqCopy, name: m.name, seq: m.seq} }
func (m clipClearMsg) tag() reqTag   { return reqTag{kind: reqClip, seq: m.seq} }
func (m clipClearedMsg) tag() reqTag { return reqTag{kind: reqClip, seq: m.seq} }
func (m callDoneMsg) tag() reqTag    { return reqTag{kind: reqCall, name: m.name, seq: m.seq} }
func (m doctorStepMsg) tag() reqTag  { return reqTag{kind: reqDoctor, name: m.name, seq: m.seq} }
func (m doctorDoneMsg) tag() reqTag  { return reqTag{kind: reqDoctor, name: m.name, seq: m.seq} }
func (m savedMsg) tag() reqTag       { return reqTag{kind: reqSave, name: m.name, seq: m.seq} }
func (m deletedMsg) tag() reqTag     { return reqTag{kind: reqDelete, name: m.name, seq: m.seq} }
