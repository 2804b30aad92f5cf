// Package ui is tokentop's dashboard: a Bubble Tea root model and one file
// per component (the provider table, the detail, the status line, the
// filter, the add/edit form, the delete confirmation, the test-call picker
// and result, the help). The root owns the clock, the layout, the focus
// and the rows (rows.go); keys go only to the focused component, which
// emits intents; each flow (flow_*.go: reload, refresh, auto-refresh,
// copy, test-calls, add/edit/delete, doctor, detail, filter) turns intents
// into commands and their results into state. All I/O runs in commands
// whose results carry a request tag (tags.go), so a stale one is dropped.
package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

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
	focusPalette
	focusLogin
)

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

	panes
	rows *rowSet // every provider; the table draws them
	spin spinner.Model
	bus  *bus
	tags *tagger

	// st8 is the mutable bookkeeping shared by the copies Bubble Tea makes
	// of the model (maps and counters behind one pointer).
	st8 *state
}

// panes are the components the root lays out and gives the focus to.
type panes struct {
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
	palette *commandPalette
	login   *loginView
}

// state is the root's bookkeeping of the flows in flight (their tags are
// the tagger's).
type state struct {
	tickID   uint64 // the tick loop's id: test ticks do not re-arm it
	spinning bool

	load loadState
	bulk *bulkState
	auto autoState
	// autoSem bounds auto-refresh's fetches across ticks.
	autoSem chan struct{}

	lastEndpoint map[string]providers.Endpoint // per provider, for C and t

	follow followState // follow mode (tokentop serve)
	login  loginFlow   // the login under way

	startNote   string    // what the status line says at start
	stateWarned bool      // a failed save of the state file was reported
	click       lastClick // the last click on a row, for a double-click
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
	rows, b := newRowSet(), &bus{}
	cfg.ReadOnly = cfg.ReadOnly || cfg.ViewOnly
	km, _ := newKeyMaps(cfg.Settings, cfg.ReadOnly)
	if cfg.ViewOnly {
		km.table.Actions.viewOnly()
		km.detail.Actions.viewOnly()
	}
	m := Model{
		cfg: cfg, st: st, ctx: ctx, cancel: cancel, store: cfg.Store, client: client,
		clip: clipTarget{out: cfg.Output, tmux: cfg.Tmux, system: cfg.SystemClipboard},
		keys: km.global,
		now:  cfg.Now(),

		panes: newPanes(cfg, st, rows, b, km),
		rows:  rows,
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		bus:   b,
		tags:  newTagger(),
		st8: &state{
			auto:         newAutoState(cfg.AutoRefresh),
			autoSem:      make(chan struct{}, refreshConcurrency),
			lastEndpoint: map[string]providers.Endpoint{},
			follow:       followState{following: true},
		},
	}
	m.rows.SetNow(m.now)
	m.st8.startNote = m.startView()
	m.resize(80, 24)
	return m
}

// newPanes builds every component for cfg, drawn in st, with the keys
// of km, emitting its intents on b; the table draws rows.
func newPanes(cfg Config, st *theme.Styles, rows rowSource, b *bus, km keyMaps) panes {
	p := panes{
		table:   newProviderTable(st, km.table, rows, settingsColumns(cfg.Settings), newEnvColors(cfg.Settings)),
		filter:  newFilterBar(st, km.filter, km.table.ClearFilter.Help().Key),
		detail:  newDetailView(st, km.detail, cfg.Location, cfg.ReadOnly),
		status:  newStatusLine(st),
		help:    newHelp(st),
		helpV:   newHelpView(st, km.help, cfg.Mouse),
		form:    newProviderForm(st, cfg.Renderer, DefaultFormKeyMap()),
		confirm: newConfirmDelete(st, km.confirm),
		picker:  newCallPicker(st, km.picker, !cfg.ReadOnly),
		result:  newCallView(st, km.result),
		doctor:  newDoctorView(st, km.doctor),
		palette: newCommandPalette(st, km.palette),
		login:   newLoginView(st, DefaultLoginKeyMap()),
	}
	p.table.bus, p.filter.bus, p.detail.bus, p.helpV.bus, p.form.bus = b, b, b, b, b
	p.confirm.bus, p.picker.bus, p.result.bus, p.doctor.bus, p.palette.bus, p.login.bus = b, b, b, b, b, b
	return p
}

// next is a bare sequence number (a status message's, the clock loop's).
func (m *Model) next() uint64 { return m.tags.nextSeq() }

// Init implements tea.Model: start the clock, load the providers and
// follow the store's changes.
func (m Model) Init() tea.Cmd {
	m.st8.tickID = m.next()
	// No tea.SetWindowTitle: Bubble Tea v1.3 writes it outside the renderer's
	// lock, racing the frame being flushed (seen with -race).
	cmds := []tea.Cmd{m.clock(m.st8.tickID), m.reload(), m.follow()}
	if note := m.st8.startNote; note != "" {
		m.st8.startNote = ""
		cmds = append(cmds, m.setStatus(statusInfo, note, ""))
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.publish()
	return m, cmd
}

// update handles one message by its family: the terminal's (size, keys),
// the clock's and the spinner's, an intent a component emitted, or a
// command's result. Anything else (huh's own messages, cursor blinks) goes
// to the focused component.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return nil
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	case tickMsg:
		return m.onTick(msg)
	case spinner.TickMsg:
		return m.onSpin(msg)
	case statusTimeoutMsg:
		m.status.Clear(msg.seq)
		return nil
	case intent:
		return m.onIntent(msg)
	case result:
		return m.onResult(msg)
	case FollowMsg:
		return m.onFollow(msg)
	}
	return m.deliver(msg)
}

// onKey takes a key: ctrl+c quits from anywhere; any other key clears an
// error from the status line and goes to the focused component.
func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
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
	if cmd, ok := m.onFollowKey(msg); ok {
		return cmd
	}
	m.status.ClearOnKey()
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
	case focusPalette:
		return m.palette
	case focusLogin:
		return m.login
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
	if m.focus == focusHelp && (m.helpFrom == focusResult || m.helpFrom == focusDoctor || m.helpFrom == focusLogin) {
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
	m.table.SetDetail(m.detailOpen, side)
	m.detail.SetSide(side)
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
