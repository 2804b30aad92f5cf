// Package ui is tokentop's dashboard: a Bubble Tea root model and one file
// per component (the provider table, the detail, the status line, the
// filter, the add/edit form, the delete confirmation, the test-call picker
// and result, the help). The root owns the clock, the layout and the focus;
// keys go only to the focused component; all I/O runs in commands whose
// results carry the provider name and a sequence number.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// Config is what a dashboard needs. Everything a session could differ in
// (styles, output, clock, clipboard) comes in here: nothing is global, so
// an SSH server can run one dashboard per session.
type Config struct {
	// Store is the open database.
	Store *store.Store
	// Styles are built for this session's renderer; nil means the default
	// theme on lipgloss's default renderer.
	Styles *theme.Styles
	// Renderer is the renderer Styles were built for; the add/edit form's
	// styles are rebound to it. nil means lipgloss's default.
	Renderer *lipgloss.Renderer
	// Now is the clock; nil means time.Now. Tests inject a fixed one.
	Now func() time.Time
	// Location shows local times; nil means time.Local.
	Location *time.Location
	// Output is where OSC52 copy sequences go: the program's output (an
	// SSH session passes its own).
	Output io.Writer
	// Tmux wraps OSC52 in tmux's passthrough (set when $TMUX is).
	Tmux bool
	// SystemClipboard also copies to the local system clipboard (false
	// over SSH, where "local" is the server).
	SystemClipboard bool
	// ClipboardClear, when positive, clears the clipboard that long after
	// a token was copied.
	ClipboardClear time.Duration
	// ReadOnly disables add, edit, delete and both copies (the help stops
	// listing them; pressing one says why in the status line). Tokens show
	// masked, as always (prefix…suffix); refreshes and test-calls of the
	// saved endpoints stay (no custom URL: it would send the token anywhere).
	ReadOnly bool
	// Demo marks the header: the database is a throwaway one.
	Demo bool
	// AutoRefresh is the auto-refresh default for every provider (x
	// toggles one).
	AutoRefresh bool
	// DBLabel replaces the database path in the header when set.
	DBLabel string
	// TokenCommand is how copied curl commands invoke tokentop ("tokentop"
	// when empty; "tokentop --db PATH" for a database given by flag).
	TokenCommand string
	// Client makes test-calls; nil means a new providers.Client on Now.
	Client *providers.Client
	// Context bounds every command; nil means context.Background. The
	// dashboard cancels its own child of it when it quits.
	Context context.Context
}

// focus says which component gets the keys.
type focus int

const (
	focusTable focus = iota
	focusDetail
	focusFilter
	focusHelp
	focusForm
	focusConfirm
	focusPicker
	focusResult
	focusDoctor
)

// detailMode is where the detail goes for the terminal's size.
type detailMode int

const (
	detailSide    detailMode = iota // beside the table, from sideWidth columns
	detailBelow                     // under the table, from belowHeight rows
	detailOverlay                   // over the table
)

const (
	sideWidth   = 140
	belowHeight = 34
)

// bulkState follows one refresh all.
type bulkState struct {
	pending        map[string]bool
	total, failed  int
	firstErr       string
	firstErrSource string
}

// Model is the dashboard's root model.
type Model struct {
	cfg    Config
	st     *theme.Styles
	ctx    context.Context
	cancel context.CancelFunc
	store  *store.Store
	client *providers.Client
	clip   clipTarget
	keys   GlobalKeyMap

	now           time.Time
	width, height int
	bodyH         int
	mode          detailMode

	focus      focus
	helpFrom   focus // what the help was opened over: it goes back there
	detailOpen bool

	table   *providerTable
	filter  *filterBar
	detail  *detailView
	status  *statusLine
	help    help.Model
	helpV   *helpView
	form    *providerForm
	confirm *confirmDelete
	picker  *callPicker
	result  *callView
	doctor  *doctorView
	spin    spinner.Model
	bus     *bus

	// st8 is the mutable bookkeeping shared by the copies Bubble Tea makes
	// of the model (maps and counters behind one pointer).
	st8 *state
}

// state is the root's bookkeeping of commands in flight and their tags.
type state struct {
	seq      uint64 // the one tag counter
	tickID   uint64 // the tick loop's id: test ticks do not re-arm it
	spinning bool

	counter     uint64 // the store's change counter at the last reload
	loading     bool   // a reload is in flight
	dirty       bool   // the store changed while it was
	checking    bool   // a counter check is in flight
	appliedLoad uint64 // tag of the last reload shown
	loaded      bool
	lastLoadErr string
	selectNext  string // select this provider after the next reload

	refreshing map[string]uint64 // name → tag of its fetch in flight
	bulk       *bulkState
	auto       autoState
	autoSem    chan struct{}

	detailSeq uint64
	callSeq   uint64
	doctorSeq uint64
	copySeq   uint64
	clipSeq   uint64

	lastEndpoint map[string]providers.Endpoint // per provider, for C and t
}

// New builds a dashboard.
func New(cfg Config) Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st := cfg.Styles
	if st == nil {
		p, _ := theme.Lookup("")
		st = theme.New(cfg.Renderer, p)
	}
	parent := cfg.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	client := cfg.Client
	if client == nil {
		client = &providers.Client{Now: cfg.Now}
	}

	tk := DefaultTableKeyMap()
	dk := DefaultDetailKeyMap()
	if cfg.ReadOnly {
		tk.Actions.readOnly()
		dk.Actions.readOnly()
	}
	m := Model{
		cfg: cfg, st: st, ctx: ctx, cancel: cancel, store: cfg.Store, client: client,
		clip: clipTarget{out: cfg.Output, tmux: cfg.Tmux, system: cfg.SystemClipboard},
		keys: DefaultGlobalKeyMap(),
		now:  cfg.Now(),

		table:   newProviderTable(st, tk),
		filter:  newFilterBar(st, DefaultFilterKeyMap()),
		detail:  newDetailView(st, dk, cfg.Location, cfg.ReadOnly),
		status:  newStatusLine(st),
		help:    newHelp(st),
		helpV:   newHelpView(st, DefaultHelpKeyMap()),
		form:    newProviderForm(st, cfg.Renderer, DefaultFormKeyMap()),
		confirm: newConfirmDelete(st, DefaultConfirmKeyMap()),
		picker:  newCallPicker(st, DefaultPickerKeyMap(), !cfg.ReadOnly),
		result:  newCallView(st, DefaultResultKeyMap()),
		doctor:  newDoctorView(st, DefaultDoctorKeyMap()),
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		st8: &state{
			refreshing:   map[string]uint64{},
			auto:         newAutoState(cfg.AutoRefresh),
			autoSem:      make(chan struct{}, refreshConcurrency),
			lastEndpoint: map[string]providers.Endpoint{},
		},
	}
	b := &bus{}
	m.bus = b
	m.table.bus, m.filter.bus, m.detail.bus, m.helpV.bus, m.form.bus = b, b, b, b, b
	m.confirm.bus, m.picker.bus, m.result.bus, m.doctor.bus = b, b, b, b
	m.table.SetNow(m.now)
	m.resize(80, 24)
	return m
}

func (m *Model) next() uint64 {
	m.st8.seq++
	return m.st8.seq
}

// Init implements tea.Model: start the clock and load the providers.
func (m Model) Init() tea.Cmd {
	m.st8.tickID = m.next()
	id, now := m.st8.tickID, m.cfg.Now
	clock := tea.Every(time.Second, func(time.Time) tea.Msg { return tickMsg{now: now(), id: id} })
	// No tea.SetWindowTitle: Bubble Tea v1.3 writes it outside the renderer's
	// lock, racing the frame being flushed (seen with -race).
	return tea.Batch(clock, m.reload())
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return nil
	case tickMsg:
		return m.onTick(msg)
	case tea.KeyMsg:
		if keys := splitRunes(msg); keys != nil {
			cmds := make([]tea.Cmd, 0, len(keys))
			for _, k := range keys {
				cmds = append(cmds, m.update(k))
			}
			return tea.Batch(cmds...)
		}
		if key.Matches(msg, m.keys.ForceQuit) {
			return m.quit()
		}
		m.status.ClearOnKey()
		return m.route(msg)
	case spinner.TickMsg:
		if !m.busy() {
			m.st8.spinning = false
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		m.table.spin = m.spin.View()
		m.result.SetSpinner(m.spin.View())
		m.doctor.SetSpinner(m.spin.View())
		return cmd
	case statusTimeoutMsg:
		m.status.Clear(msg.seq)
		return nil

	// intents
	case quitIntent:
		return m.quit()
	case refreshIntent:
		m.setStatus(statusInfo, "refreshing "+msg.name+"…", "")
		return m.startRefresh(msg.name, store.TokenOptions{ForceRefresh: true}, false, nil)
	case refreshAllIntent:
		return m.refreshAll()
	case autoToggleIntent:
		return m.toggleAuto(msg.name)
	case copyIntent:
		return m.copyToken(msg.name)
	case copyCurlIntent:
		return m.copyCurl(msg.name)
	case testCallIntent:
		return m.openPicker(msg.name)
	case doctorIntent:
		return m.startDoctor(msg)
	case callIntent:
		return m.startCall(msg)
	case addIntent:
		return m.openForm("")
	case editIntent:
		return m.openForm(msg.name)
	case saveIntent:
		m.setFocus(m.home())
		m.setStatus(statusInfo, "saving "+msg.p.Name+"…", "")
		return save(m.ctx, m.store, msg.p, msg.isNew, m.next())
	case deleteIntent:
		if m.cfg.ReadOnly {
			return nil
		}
		m.confirm.Ask(msg.name)
		m.setFocus(focusConfirm)
		return nil
	case deleteConfirmedIntent:
		m.setFocus(m.home())
		m.setStatus(statusInfo, "deleting "+msg.name+"…", "")
		return remove(m.ctx, m.store, msg.name, m.next())
	case filterIntent:
		m.setFocus(focusFilter)
		m.layout()
		return m.filter.Focus()
	case filterChangedIntent:
		return m.onFilter(msg)
	case toggleDetailIntent:
		return m.toggleDetail()
	case focusDetailIntent:
		if m.detailOpen && m.mode != detailOverlay {
			if msg.on {
				m.setFocus(focusDetail)
			} else {
				m.setFocus(focusTable)
			}
		}
		return nil
	case helpIntent:
		m.helpFrom = m.focus
		m.helpV.Show(m.focused())
		m.setFocus(focusHelp)
		return nil
	case closeIntent:
		m.setFocus(m.closedTo())
		return nil
	case lockedIntent:
		return m.setStatus(statusWarn, "read-only session: "+msg.what+" is turned off (no add, edit, delete or copy here)", "")

	// results
	case summariesMsg:
		return m.onSummaries(msg)
	case counterMsg:
		return m.onCounter(msg)
	case refreshedMsg:
		return m.onRefreshed(msg)
	case detailDataMsg:
		if msg.seq == m.st8.detailSeq {
			m.detail.SetData(msg)
		}
		return nil
	case copiedMsg:
		return m.onCopied(msg)
	case clipClearMsg:
		if msg.seq != m.st8.clipSeq {
			return nil
		}
		return clearClipboard(m.clip, msg.seq)
	case clipClearedMsg:
		if msg.seq != m.st8.clipSeq {
			return nil
		}
		if msg.err != nil {
			return m.setStatus(statusError, msg.err.Error(), "")
		}
		return m.setStatus(statusInfo, "clipboard cleared", "")
	case callDoneMsg:
		return m.onCallDone(msg)
	case doctorStepMsg:
		if msg.seq == m.st8.doctorSeq {
			m.doctor.Add(msg.check)
		}
		return nextDoctorMsg(msg.next)
	case doctorDoneMsg:
		return m.onDoctorDone(msg)
	case savedMsg:
		return m.onSaved(msg)
	case deletedMsg:
		return m.onDeleted(msg)
	}
	// Anything else (huh's own messages, cursor blinks) goes to the
	// focused component.
	return m.deliver(msg)
}

// splitRunes returns one key message per rune when msg holds several typed
// runes, and nil otherwise. Bubble Tea v1 reads keys typed faster than it
// reads (a held-down j, tmux send-keys, a slow SSH link) as one message
// with several runes, which no single-key binding matches; a paste stays
// whole.
func splitRunes(msg tea.KeyMsg) []tea.KeyMsg {
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) < 2 {
		return nil
	}
	keys := make([]tea.KeyMsg, len(msg.Runes))
	for i, r := range msg.Runes {
		keys[i] = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}
	}
	return keys
}

// route gives a key to the focused component.
func (m *Model) route(km tea.KeyMsg) tea.Cmd { return m.deliver(km) }

// deliver gives msg to the focused component, then handles the intents it
// emitted, in order, before the next message; a cursor move in the table
// updates the detail.
func (m *Model) deliver(msg tea.Msg) tea.Cmd {
	before := m.table.Selected()
	cmds := []tea.Cmd{m.focused().Update(msg)}
	for {
		in, ok := m.bus.next()
		if !ok {
			break
		}
		cmds = append(cmds, m.update(in))
	}
	if m.table.Selected() != before {
		cmds = append(cmds, m.syncDetail(true))
	}
	return tea.Batch(cmds...)
}

func (m *Model) focused() Component {
	switch m.focus {
	case focusDetail:
		return m.detail
	case focusFilter:
		return m.filter
	case focusHelp:
		return m.helpV
	case focusForm:
		return m.form
	case focusConfirm:
		return m.confirm
	case focusPicker:
		return m.picker
	case focusResult:
		return m.result
	case focusDoctor:
		return m.doctor
	}
	return m.table
}

// home is where the focus returns after an overlay.
func (m *Model) home() focus {
	if m.detailOpen && m.mode == detailOverlay {
		return focusDetail
	}
	return focusTable
}

// closedTo is where the focus goes when the focused overlay closes: the
// help goes back to the test-call result or the doctor it was opened over;
// anything else goes home.
func (m *Model) closedTo() focus {
	if m.focus == focusHelp && (m.helpFrom == focusResult || m.helpFrom == focusDoctor) {
		return m.helpFrom
	}
	return m.home()
}

func (m *Model) setFocus(f focus) {
	m.focus = f
	m.detail.SetFocus(f == focusDetail)
	m.syncKeys()
}

// syncKeys enables the keys that make sense in the current layout.
func (m *Model) syncKeys() {
	side := m.detailOpen && m.mode != detailOverlay
	m.table.keys.FocusDetail.SetEnabled(side)
	m.detail.keys.Table.SetEnabled(side)
	m.table.detailOpen = m.detailOpen
}

func (m *Model) quit() tea.Cmd {
	m.cancel()
	return tea.Quit
}

// setStatus shows a message with a tagged timeout.
func (m *Model) setStatus(kind statusKind, text, hint string) tea.Cmd {
	return m.status.Set(kind, text, hint, m.next())
}

// errStatus shows an error with its hint.
func (m *Model) errStatus(prefix string, err error) tea.Cmd {
	if m.ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// The dashboard is quitting: its own commands were cancelled,
		// which is no news for the last frame.
		return nil
	}
	text := err.Error()
	if e, ok := providers.AsError(err); ok {
		text = e.Summary()
	}
	if prefix != "" && !strings.HasPrefix(text, prefix+":") {
		text = prefix + ": " + text
	}
	return m.setStatus(statusError, text, providers.HintFor(err))
}

// ---- layout ----

// resize takes the window's size, bounded (ClampSize) before any
// component sizes itself from it: a frame is drawn for at most
// MaxWidth×MaxHeight cells whatever the terminal reports.
func (m *Model) resize(w, h int) {
	w, h = ClampSize(w, h)
	m.width, m.height = max(w, minWidth), max(h, minHeight)
	m.layout()
}

// layout computes every component's size from the terminal's: the header
// and the footer (status and help) take a line each, the filter one while
// it is shown; the body holds the table and the detail side by side (wide),
// one above the other (tall), or the detail over the table (small).
func (m *Model) layout() {
	w, h := m.width, m.height
	filterH := 0
	if m.focus == focusFilter || m.table.filter != "" {
		filterH = 1
	}
	m.bodyH = max(h-1-filterH-2, 3)
	switch {
	case w >= sideWidth:
		m.mode = detailSide
	case h >= belowHeight:
		m.mode = detailBelow
	default:
		m.mode = detailOverlay
	}
	tw, th := w, m.bodyH
	if m.detailOpen {
		switch m.mode {
		case detailSide:
			dw := max(w*2/5, 60)
			tw = w - dw - 1
			m.detail.SetSize(dw, m.bodyH)
		case detailBelow:
			th = min(max(len(m.table.view)+1, 4), max(m.bodyH*2/5, 6))
			m.detail.SetSize(w, m.bodyH-th)
		default:
			m.detail.SetSize(w, m.bodyH)
		}
	}
	m.table.SetSize(tw, th)
	m.filter.SetSize(w, 1)
	m.status.SetSize(w, 1)
	m.confirm.SetSize(w, 1)
	m.help.Width = w
	m.helpV.SetSize(w, m.bodyH)
	m.form.SetSize(w, m.bodyH)
	m.picker.SetSize(min(w, 100), m.bodyH)
	m.result.SetSize(w, m.bodyH)
	m.doctor.SetSize(w, m.bodyH)
	if m.detailOpen && m.mode == detailOverlay && m.focus == focusTable {
		m.setFocus(focusDetail)
	} else if m.focus == focusDetail && !m.detailOpen {
		m.setFocus(focusTable)
	}
	m.syncKeys()
}

// ---- the clock and live updates ----

func (m *Model) onTick(msg tickMsg) tea.Cmd {
	var cmds []tea.Cmd
	if msg.id != 0 && msg.id == m.st8.tickID {
		id, now := msg.id, m.cfg.Now
		cmds = append(cmds, tea.Every(time.Second, func(time.Time) tea.Msg { return tickMsg{now: now(), id: id} }))
	}
	m.now = msg.now
	m.table.SetNow(m.now)
	cmds = append(cmds, m.syncDetail(false), m.autoRefresh())
	if !m.st8.checking && !m.st8.loading && m.st8.loaded {
		m.st8.checking = true
		cmds = append(cmds, checkCounter(m.ctx, m.store))
	}
	return tea.Batch(cmds...)
}

// reload starts a reload of the summaries, or marks one due when one is
// in flight.
func (m *Model) reload() tea.Cmd {
	if m.st8.loading {
		m.st8.dirty = true
		return nil
	}
	m.st8.loading, m.st8.dirty = true, false
	return loadSummaries(m.ctx, m.store, m.next())
}

func (m *Model) onCounter(msg counterMsg) tea.Cmd {
	m.st8.checking = false
	if msg.err != nil {
		if msg.err.Error() != m.st8.lastLoadErr {
			m.st8.lastLoadErr = msg.err.Error()
			return m.errStatus("reading the store", msg.err)
		}
		return nil
	}
	if msg.counter != m.st8.counter {
		return m.reload()
	}
	return nil
}

func (m *Model) onSummaries(msg summariesMsg) tea.Cmd {
	m.st8.loading = false
	var cmds []tea.Cmd
	if m.st8.dirty {
		cmds = append(cmds, m.reload())
	}
	if msg.seq <= m.st8.appliedLoad {
		return tea.Batch(cmds...)
	}
	if msg.err != nil {
		if msg.err.Error() != m.st8.lastLoadErr {
			m.st8.lastLoadErr = msg.err.Error()
			cmds = append(cmds, m.errStatus("reading the store", msg.err))
		}
		return tea.Batch(cmds...)
	}
	m.st8.lastLoadErr = ""
	m.st8.appliedLoad, m.st8.counter, m.st8.loaded = msg.seq, msg.counter, true
	m.table.SetRows(msg.sums, m.flags)
	if name := m.st8.selectNext; name != "" {
		m.st8.selectNext = ""
		m.table.rebuild(name)
	}
	if m.detailOpen && m.table.Selected() == "" {
		m.detailOpen = false
		m.layout()
	}
	cmds = append(cmds, m.syncDetail(true))
	return tea.Batch(cmds...)
}

// flags is a row's root state.
func (m *Model) flags(name string) rowFlags {
	_, busy := m.st8.refreshing[name]
	auto := m.st8.auto.enabled(name)
	return rowFlags{refreshing: busy, auto: auto, paused: auto && m.st8.auto.paused[name]}
}

// syncDetail shows the selected provider in the detail; load also reloads
// its claims and history.
func (m *Model) syncDetail(load bool) tea.Cmd {
	if !m.detailOpen {
		return nil
	}
	name := m.table.Selected()
	r, ok := m.table.Row(name)
	if !ok {
		return nil
	}
	changed := m.detail.name != name
	m.detail.Show(r.sum, r.rowFlags, m.st8.auto.enabled(name), m.now)
	if !load && !changed {
		return nil
	}
	m.st8.detailSeq = m.next()
	return loadDetail(m.ctx, m.store, name, m.st8.detailSeq)
}

func (m *Model) toggleDetail() tea.Cmd {
	m.detailOpen = !m.detailOpen && m.table.Selected() != ""
	m.layout()
	if m.detailOpen && m.mode == detailOverlay {
		m.setFocus(focusDetail)
	} else {
		m.setFocus(focusTable)
	}
	if m.detailOpen {
		m.detail.name = ""
		return m.syncDetail(true)
	}
	return nil
}

func (m *Model) onFilter(msg filterChangedIntent) tea.Cmd {
	before := m.table.Selected()
	m.table.SetFilter(msg.text)
	if msg.text == "" {
		m.filter.Set("")
	}
	if msg.done {
		m.setFocus(m.home())
	}
	m.layout()
	if m.table.Selected() != before {
		return m.syncDetail(true)
	}
	return nil
}

// ---- refresh ----

func (m *Model) busy() bool {
	return len(m.st8.refreshing) > 0 || m.result.loading || m.doctor.Running()
}

func (m *Model) startSpinner() tea.Cmd {
	if m.st8.spinning {
		return nil
	}
	m.st8.spinning = true
	m.table.spin = m.spin.View()
	return m.spin.Tick
}

// startRefresh fetches a token for name unless one is in flight.
func (m *Model) startRefresh(name string, o store.TokenOptions, auto bool, sem chan struct{}) tea.Cmd {
	if _, busy := m.st8.refreshing[name]; busy {
		return nil
	}
	seq := m.next()
	m.st8.refreshing[name] = seq
	m.table.SetFlags(name, m.flags(name))
	return tea.Batch(refresh(m.ctx, m.store, name, seq, o, auto, sem), m.startSpinner())
}

// refreshAll fetches a new token for every provider shown, at most
// refreshConcurrency at once, each with its own spinner and tagged result.
func (m *Model) refreshAll() tea.Cmd {
	if len(m.table.view) == 0 {
		return nil
	}
	sem := make(chan struct{}, refreshConcurrency)
	b := &bulkState{pending: map[string]bool{}}
	cmds := make([]tea.Cmd, 0, len(m.table.view))
	for _, i := range m.table.view {
		name := m.table.rows[i].sum.Provider.Name
		if cmd := m.startRefresh(name, store.TokenOptions{ForceRefresh: true}, false, sem); cmd != nil {
			b.pending[name] = true
			cmds = append(cmds, cmd)
		}
	}
	b.total = len(b.pending)
	if b.total == 0 {
		return nil
	}
	m.st8.bulk = b
	cmds = append(cmds, m.setStatus(statusInfo, fmt.Sprintf("refreshing %d providers, %d at a time…", b.total, refreshConcurrency), ""))
	return tea.Batch(cmds...)
}

func (m *Model) onRefreshed(msg refreshedMsg) tea.Cmd {
	if seq, ok := m.st8.refreshing[msg.name]; !ok || seq != msg.seq {
		return nil // stale: a newer fetch of this provider is under way, or it was deleted
	}
	delete(m.st8.refreshing, msg.name)
	m.table.SetFlags(msg.name, m.flags(msg.name))

	if msg.auto {
		if msg.err != nil {
			wait := autoRetry
			if e, ok := providers.AsError(msg.err); ok && e.RetryAfter > wait {
				wait = e.RetryAfter
			}
			m.st8.auto.next[msg.name] = m.now.Add(wait)
			return tea.Batch(m.errStatus(msg.name+" (auto-refresh)", msg.err), m.reload())
		}
		m.st8.auto.next[msg.name] = m.now.Add(5 * time.Second)
		if msg.res != nil && !msg.res.Cached {
			return tea.Batch(m.setStatus(statusOK, "auto-refreshed "+msg.name+": "+expiresText(msg.res.Token, m.now), ""), m.reload())
		}
		return m.reload()
	}

	if b := m.st8.bulk; b != nil && b.pending[msg.name] {
		delete(b.pending, msg.name)
		if msg.err != nil {
			b.failed++
			if b.firstErr == "" {
				b.firstErr, b.firstErrSource = msg.err.Error(), msg.name
			}
		}
		done := b.total - len(b.pending)
		text := fmt.Sprintf("refresh all: %d/%d done", done, b.total)
		if b.failed > 0 {
			text += fmt.Sprintf(", %d failed (%s)", b.failed, b.firstErr)
		}
		if len(b.pending) > 0 {
			return m.setStatus(statusInfo, text+"…", "")
		}
		m.st8.bulk = nil
		kind := statusOK
		if b.failed > 0 {
			kind = statusWarn
		}
		return tea.Batch(m.setStatus(kind, text, ""), m.reload())
	}

	if msg.err != nil {
		return tea.Batch(m.errStatus(msg.name, msg.err), m.reload())
	}
	text := "refreshed " + msg.name + ": " + expiresText(msg.res.Token, m.now)
	kind := statusOK
	if len(msg.res.Warnings) > 0 {
		text += " · " + strings.Join(msg.res.Warnings, "; ")
		kind = statusWarn
	}
	return tea.Batch(m.setStatus(kind, text, ""), m.reload())
}

func expiresText(t *providers.Token, now time.Time) string {
	if t == nil {
		return "no token"
	}
	s := "new token, expires in " + countdown(t.ExpiresAt.Sub(now))
	if t.ExpiryAssumed {
		s += " (assumed)"
	}
	return s
}

// ---- auto-refresh ----

// autoRefresh runs once per tick: every provider with auto-refresh on whose
// token is missing or inside its refresh margin is refreshed, unless its
// quota is at 90 % (then it pauses and says so) or it failed recently.
func (m *Model) autoRefresh() tea.Cmd {
	a := &m.st8.auto
	if !a.def && len(a.on) == 0 {
		return nil
	}
	var cmds []tea.Cmd
	for i := range m.table.rows {
		r := &m.table.rows[i]
		name := r.sum.Provider.Name
		if !a.enabled(name) {
			continue
		}
		paused := quotaPaused(r.sum.Quota)
		if paused != a.paused[name] {
			a.paused[name] = paused
			m.table.SetFlags(name, m.flags(name))
			if paused {
				q := r.sum.Quota
				cmds = append(cmds, m.setStatus(statusWarn, fmt.Sprintf("%s: auto-refresh paused: quota 90%% (%d/%d %s)", name, q.Used, q.Limit, periodShort(q.Per)), ""))
			}
		}
		if paused || !dueForRefresh(r.sum, m.now) || m.now.Before(a.next[name]) {
			continue
		}
		cmds = append(cmds, m.startRefresh(name, store.TokenOptions{}, true, m.st8.autoSem))
	}
	return tea.Batch(cmds...)
}

func (m *Model) toggleAuto(name string) tea.Cmd {
	on := m.st8.auto.toggle(name)
	r, ok := m.table.Row(name)
	if !ok {
		return nil
	}
	paused := on && quotaPaused(r.sum.Quota)
	m.st8.auto.paused[name] = paused
	m.table.SetFlags(name, m.flags(name))
	m.syncDetail(false)
	q := r.sum.Quota
	switch {
	case paused:
		return m.setStatus(statusWarn, fmt.Sprintf("auto-refresh on for %s, but paused: quota 90%% (%d/%d %s)", name, q.Used, q.Limit, periodShort(q.Per)), "")
	case on:
		return tea.Batch(m.setStatus(statusOK, "auto-refresh on for "+name+": a new token inside the refresh margin, paused at 90% of the quota", ""), m.autoRefresh())
	}
	return m.setStatus(statusInfo, "auto-refresh off for "+name, "")
}

// ---- copy ----

func (m *Model) copyToken(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	seq := m.next()
	m.st8.copySeq = seq
	return tea.Batch(m.setStatus(statusInfo, "copying the "+name+" token…", ""), copyToken(m.ctx, m.store, name, seq, m.clip))
}

// endpointFor is the endpoint C and t start from: the one test-called last,
// else the first saved one.
func (m *Model) endpointFor(p providers.Provider) (providers.Endpoint, bool) {
	if e, ok := m.st8.lastEndpoint[p.Name]; ok {
		return e, true
	}
	if len(p.Endpoints) > 0 {
		return p.Endpoints[0], true
	}
	return providers.Endpoint{}, false
}

func (m *Model) copyCurl(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	r, ok := m.table.Row(name)
	if !ok {
		return nil
	}
	e, ok := m.endpointFor(r.sum.Provider)
	if !ok {
		return m.setStatus(statusWarn, name+" has no saved endpoint", "add endpoints: to its config, or test-call a URL with t first; C then copies that one")
	}
	tokType := ""
	if r.sum.Token != nil {
		tokType = r.sum.Token.TokenType
	}
	seq := m.next()
	m.st8.copySeq = seq
	return copyText(name, "curl command for "+e.Name, curlCommand(m.cfg.TokenCommand, name, tokType, e), seq, m.clip)
}

func (m *Model) onCopied(msg copiedMsg) tea.Cmd {
	if msg.seq != m.st8.copySeq {
		return nil
	}
	if msg.err != nil {
		return tea.Batch(m.errStatus(msg.name, msg.err), m.reload())
	}
	text := fmt.Sprintf("copied the %s %s via %s", msg.name, msg.what, strings.Join(msg.via, " and "))
	if msg.warn != "" {
		text += " (" + msg.warn + ")"
	}
	var cmds []tea.Cmd
	if d := m.cfg.ClipboardClear; d > 0 && msg.what == "token" {
		m.st8.clipSeq = msg.seq
		text += fmt.Sprintf(" · clears in %s", human(d))
		cmds = append(cmds, clearClipboardAfter(d, msg.seq))
	}
	if msg.what == "token" {
		cmds = append(cmds, m.reload())
	}
	return tea.Batch(append(cmds, m.setStatus(statusOK, text, ""))...)
}

// ---- test-calls ----

func (m *Model) openPicker(name string) tea.Cmd {
	r, ok := m.table.Row(name)
	if !ok {
		return nil
	}
	p := r.sum.Provider
	last := ""
	if e, ok := m.st8.lastEndpoint[name]; ok {
		last = e.Name
		if _, saved := p.Endpoint(e.Name); !saved {
			p.Endpoints = append(slices.Clone(p.Endpoints), e)
		}
	}
	m.setFocus(focusPicker)
	return m.picker.Open(p, last)
}

func (m *Model) startCall(msg callIntent) tea.Cmd {
	r, ok := m.table.Row(msg.name)
	if !ok {
		m.setFocus(m.home())
		return nil
	}
	if m.cfg.ReadOnly {
		// Only a saved endpoint: a URL of the caller's choosing would get
		// the token.
		if e, saved := r.sum.Provider.Endpoint(msg.label); !saved || e.URL != msg.req.URL {
			m.setFocus(m.home())
			return nil
		}
	}
	seq := m.next()
	m.st8.callSeq = seq
	m.st8.lastEndpoint[msg.name] = providers.Endpoint{
		Name: msg.label, Method: msg.req.Method, URL: msg.req.URL, Body: msg.req.Body, Headers: flatHeaders(msg.req),
	}
	m.result.Start(msg.name, msg.label, msg.req)
	m.setFocus(focusResult)
	return tea.Batch(testCall(m.ctx, m.store, m.client, r.sum.Provider, msg.label, msg.req, seq, m.cfg.Now), m.startSpinner())
}

func flatHeaders(r providers.CallRequest) map[string]string {
	if len(r.Headers) == 0 {
		return nil
	}
	out := make(map[string]string, len(r.Headers))
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		out[k] = r.Headers.Get(k)
	}
	return out
}

func (m *Model) onCallDone(msg callDoneMsg) tea.Cmd {
	if msg.seq != m.st8.callSeq {
		return nil
	}
	m.result.Finish(msg, m.now)
	var status tea.Cmd
	switch {
	case msg.res == nil && msg.err != nil:
		status = m.errStatus(msg.name, msg.err)
	case msg.res != nil && msg.res.OK():
		status = m.setStatus(statusOK, fmt.Sprintf("%s %s: %d in %s", msg.name, msg.label, msg.res.Status, latency(msg.res.Timings.Total)), "")
	case msg.res != nil:
		status = m.setStatus(statusWarn, fmt.Sprintf("%s %s: %d in %s", msg.name, msg.label, msg.res.Status, latency(msg.res.Timings.Total)), "")
	}
	return tea.Batch(status, m.reload())
}

// ---- add, edit, delete ----

func (m *Model) openForm(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	if name == "" {
		names := make(map[string]bool, len(m.table.rows))
		for _, r := range m.table.rows {
			names[r.sum.Provider.Name] = true
		}
		m.setFocus(focusForm)
		return m.form.Open(providers.Provider{}, true, false, names)
	}
	r, ok := m.table.Row(name)
	if !ok {
		return nil
	}
	m.setFocus(focusForm)
	return m.form.Open(r.sum.Provider, false, r.sum.HasSecret, nil)
}

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	if msg.err != nil {
		return m.errStatus("saving "+msg.name, msg.err)
	}
	text := "saved " + msg.name
	if msg.isNew {
		text = "added " + msg.name + ": press r to fetch its first token"
		m.st8.selectNext = msg.name
	}
	return tea.Batch(m.setStatus(statusOK, text, ""), m.reload())
}

func (m *Model) onDeleted(msg deletedMsg) tea.Cmd {
	if msg.err != nil {
		return m.errStatus("deleting "+msg.name, msg.err)
	}
	delete(m.st8.refreshing, msg.name)
	delete(m.st8.auto.on, msg.name)
	delete(m.st8.auto.next, msg.name)
	delete(m.st8.auto.paused, msg.name)
	delete(m.st8.lastEndpoint, msg.name)
	return tea.Batch(m.setStatus(statusOK, "deleted "+msg.name, ""), m.reload())
}

// ---- view ----

// View implements tea.Model. It renders only what is on screen: the rows
// in view, never all providers.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	if m.focus == focusFilter || m.table.filter != "" {
		b.WriteString(m.filter.View())
		b.WriteByte('\n')
	}
	b.WriteString(block(m.body(), m.width, m.bodyH))
	b.WriteByte('\n')
	status := m.status.line(m.idle())
	if m.focus == focusConfirm {
		status = m.confirm.View()
	}
	b.WriteString(status)
	if !strings.Contains(status, "\n") {
		b.WriteByte('\n')
		b.WriteString(m.help.ShortHelpView(m.focused().ShortHelp()))
	}
	return b.String()
}

func (m Model) body() string {
	switch m.focus {
	case focusHelp:
		return m.helpV.View()
	case focusForm:
		return m.form.View()
	case focusPicker:
		return m.picker.View()
	case focusResult:
		return m.result.View()
	case focusDoctor:
		return m.doctor.View()
	}
	if !m.detailOpen {
		return m.table.View()
	}
	switch m.mode {
	case detailSide:
		return lipgloss.JoinHorizontal(lipgloss.Top, block(m.table.View(), m.table.width, m.bodyH), " ", m.detail.View())
	case detailBelow:
		return m.table.View() + "\n" + m.detail.View()
	}
	return m.detail.View()
}

// block cuts or pads s to exactly h lines (it never measures widths: the
// components render to their own width).
func block(s string, _ int, h int) string {
	n := strings.Count(s, "\n") + 1
	switch {
	case n > h:
		i := 0
		for k := 0; k < h; k++ {
			i += strings.IndexByte(s[i:], '\n') + 1
		}
		return s[:i-1]
	case n < h:
		return s + strings.Repeat("\n", h-n)
	}
	return s
}

// header is the top line: name, database, counts and the time.
func (m Model) header() string {
	st := m.st
	title := st.Title.Render("tokentop")
	if m.cfg.Demo {
		title += st.Warn.Render(" demo")
	}
	if m.cfg.ReadOnly {
		title += st.Warn.Render(" read-only")
	}
	c := m.table.counts
	count := func(n int, text string, sty lipgloss.Style) string {
		if n == 0 {
			sty = st.Muted
		}
		return sty.Render(fmt.Sprintf("%d %s", n, text))
	}
	sep := st.Muted.Render(" · ")
	right := count(c.valid, "valid", st.OK) + sep + count(c.expiring, "expiring", st.Warn) + sep +
		count(c.expired, "expired", st.Bad) + sep + count(c.failing, "failing", st.Bad) +
		"  " + st.Header.Render(m.now.In(m.loc()).Format("15:04:05"))
	label := m.cfg.DBLabel
	if label == "" && m.store != nil {
		label = m.store.Path()
	}
	room := m.width - lipgloss.Width(title) - lipgloss.Width(right) - 3
	if room < 4 {
		// Too narrow for everything: the counts go first.
		return title + " " + st.Muted.Render(fit(label, max(m.width-lipgloss.Width(title)-1, 0), false))
	}
	return title + "  " + st.Muted.Render(fit(label, room, false)) + " " + right
}

func (m Model) loc() *time.Location {
	if m.cfg.Location != nil {
		return m.cfg.Location
	}
	return time.Local
}

// idle is the status line's text when there is no message.
func (m Model) idle() string {
	t := m.table
	s := fmt.Sprintf("%d providers · sort: %s", len(t.rows), t.sortBy)
	if t.filter != "" {
		s += fmt.Sprintf(" · filter %q: %d shown", t.filter, len(t.view))
	}
	if n := m.autoCount(); n > 0 {
		s += fmt.Sprintf(" · auto-refresh on for %d", n)
	}
	if !m.st8.loaded {
		s = "loading…"
	}
	return s
}

func (m Model) autoCount() int {
	a := m.st8.auto
	if !a.def {
		n := 0
		for _, on := range a.on {
			if on {
				n++
			}
		}
		return n
	}
	n := len(m.table.rows)
	for _, on := range a.on {
		if !on {
			n--
		}
	}
	return n
}

// ---- the doctor ----

func (m *Model) startDoctor(msg doctorIntent) tea.Cmd {
	if _, ok := m.table.Row(msg.name); !ok {
		return nil
	}
	seq := m.next()
	m.st8.doctorSeq = seq
	m.doctor.Start(msg.name)
	m.setFocus(focusDoctor)
	return tea.Batch(runDoctor(m.ctx, m.store, msg.name, seq, msg.fetch), m.startSpinner())
}

func (m *Model) onDoctorDone(msg doctorDoneMsg) tea.Cmd {
	if msg.seq != m.st8.doctorSeq {
		return nil
	}
	m.doctor.Finish(msg.diag, msg.err)
	// The doctor may have fetched a token (or failed to): show it.
	reload := m.reload()
	switch {
	case msg.err != nil:
		return tea.Batch(reload, m.errStatus("doctor "+msg.name, msg.err))
	case msg.diag.OK():
		return tea.Batch(reload, m.setStatus(statusOK, "doctor "+msg.name+": "+doctorSummary(msg.diag.Checks), ""))
	}
	return tea.Batch(reload, m.setStatus(statusError, "doctor "+msg.name+": "+doctorSummary(msg.diag.Checks), ""))
}
