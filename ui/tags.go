package ui

// Every command's result comes back tagged with the request it answers
// (reqTag), and the root's tagger says whether that answer still counts:
// a newer request of the same kind, a deleted provider or a closed view
// makes it stale, and a stale answer is dropped.

// reqKind is what a request asks for; each kind has its rule for which
// answers count.
type reqKind uint8

const (
	reqReload  reqKind = iota + 1 // every provider's summary
	reqFeed                       // the store's change feed
	reqRefresh                    // a token fetch, one per provider
	reqDetail                     // the detail's claims and history
	reqCall                       // a test-call
	reqDoctor                     // a diagnosis, step by step
	reqCopy                       // a copy to the clipboard
	reqClip                       // the clipboard's clearing after a copy
	reqSave                       // a provider saved by the form
	reqDelete                     // a provider deleted
	reqState                      // the last filter and sort saved
	reqLogin                      // a user's login (one at a time)
)

// tagRule is which answers of a kind count.
type tagRule uint8

const (
	// ruleLast: only the answer to the last request counts (the last per
	// provider for a refresh).
	ruleLast tagRule = iota
	// ruleNewer: an answer counts when it is newer than the last one
	// applied (reloads never overlap, so each is news unless older than
	// what is shown).
	ruleNewer
	// ruleEvery: every answer counts (the user asked for each save and
	// delete; every change the feed reports).
	ruleEvery
)

func (k reqKind) rule() tagRule {
	switch k {
	case reqReload:
		return ruleNewer
	case reqFeed, reqSave, reqDelete, reqState:
		return ruleEvery
	}
	return ruleLast
}

// perProvider reports whether requests of the kind are counted per
// provider (a refresh of one never makes another's stale).
func (k reqKind) perProvider() bool { return k == reqRefresh }

// reqTag names one request: its kind, the provider it is about and its
// sequence number.
type reqTag struct {
	kind reqKind
	name string
	seq  uint64
}

// tagKey is what requests are counted by: the kind, and the provider for
// a kind counted per provider.
type tagKey struct {
	kind reqKind
	name string
}

func (t reqTag) key() tagKey {
	if t.kind.perProvider() {
		return tagKey{t.kind, t.name}
	}
	return tagKey{kind: t.kind}
}

// tagger issues the tags of one dashboard and tells a current answer from
// a stale one. It lives behind a pointer shared by the copies Bubble Tea
// makes of the model, and is used only on the Update goroutine.
type tagger struct {
	seq uint64
	// last is, per key, the last request issued (ruleLast) or the last
	// answer applied (ruleNewer). A finished refresh is removed: its
	// provider has none in flight.
	last map[tagKey]uint64
}

func newTagger() *tagger { return &tagger{last: map[tagKey]uint64{}} }

// nextSeq is a bare sequence number, from the same counter as the tags
// (the status line's timeouts and the clock's loop use it).
func (t *tagger) nextSeq() uint64 {
	t.seq++
	return t.seq
}

// next issues the tag of a new request about name; under ruleLast it
// makes every earlier answer of its key stale.
func (t *tagger) next(kind reqKind, name string) reqTag {
	tag := reqTag{kind: kind, name: name, seq: t.nextSeq()}
	if kind.rule() == ruleLast {
		t.last[tag.key()] = tag.seq
	}
	return tag
}

// stale reports whether the answer tagged tag no longer counts.
func (t *tagger) stale(tag reqTag) bool {
	cur, ok := t.last[tag.key()]
	switch tag.kind.rule() {
	case ruleNewer:
		return ok && tag.seq <= cur
	case ruleEvery:
		return false
	}
	return !ok || cur != tag.seq
}

// applied records the answer tagged tag as shown: under ruleNewer, older
// answers are stale from now on.
func (t *tagger) applied(tag reqTag) {
	if tag.kind.rule() == ruleNewer {
		t.last[tag.key()] = max(t.last[tag.key()], tag.seq)
	}
}

// done ends the request of kind about name: its answers are stale, and
// none is in flight.
func (t *tagger) done(kind reqKind, name string) {
	delete(t.last, reqTag{kind: kind, name: name}.key())
}

// inFlight reports whether a request of kind about name is under way
// (kinds counted per provider, whose finished requests are done).
func (t *tagger) inFlight(kind reqKind, name string) bool {
	_, ok := t.last[reqTag{kind: kind, name: name}.key()]
	return ok
}

// anyInFlight reports whether any request of kind is under way (kinds
// counted per provider).
func (t *tagger) anyInFlight(kind reqKind) bool {
	for k := range t.last {
		if k.kind == kind {
			return true
		}
	}
	return false
}
