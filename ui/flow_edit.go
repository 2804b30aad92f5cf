package ui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// Add, edit, delete: a opens the form on a new provider, e on the selected
// one; d asks for a confirmation first. None of them exists in a read-only
// session. The store's change feed brings the result to every
// dashboard on the database.

func (m *Model) openForm(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	if name == "" {
		all := m.rows.All()
		names := make(map[string]bool, len(all))
		for _, r := range all {
			names[r.sum.Provider.Name] = true
		}
		m.setFocus(focusForm)
		return m.form.Open(providers.Provider{}, true, false, names)
	}
	r, ok := m.rows.Row(name)
	if !ok {
		return nil
	}
	m.setFocus(focusForm)
	return m.form.Open(r.sum.Provider, false, r.sum.HasSecret, nil)
}

// save writes the provider the form gave back.
func (m *Model) save(in saveIntent) tea.Cmd {
	m.setFocus(m.home())
	m.setStatus(statusInfo, "saving "+in.p.Name+"…", "")
	return saveProvider(m.ctx, m.store, in.p, in.isNew, m.tags.next(reqSave, in.p.Name))
}

// askDelete asks for a confirmation of deleting name.
func (m *Model) askDelete(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	m.confirm.Ask(name)
	m.setFocus(focusConfirm)
	return nil
}

// remove deletes name, confirmed.
func (m *Model) remove(name string) tea.Cmd {
	m.setFocus(m.home())
	m.setStatus(statusInfo, "deleting "+name+"…", "")
	return removeProvider(m.ctx, m.store, m.tags.next(reqDelete, name))
}

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	if msg.err != nil {
		return m.errStatus("saving "+msg.name, msg.err)
	}
	text := "saved " + msg.name
	if msg.isNew {
		text = "added " + msg.name + ": press r to fetch its first token"
		m.st8.load.selectNext = msg.name
	}
	return tea.Batch(m.setStatus(statusOK, text, ""), m.reload())
}

// onDeleted forgets everything the dashboard kept about the provider
// deleted; a fetch of it still in flight is stale.
func (m *Model) onDeleted(msg deletedMsg) tea.Cmd {
	if msg.err != nil {
		return m.errStatus("deleting "+msg.name, msg.err)
	}
	m.tags.done(reqRefresh, msg.name)
	delete(m.st8.auto.on, msg.name)
	delete(m.st8.auto.next, msg.name)
	delete(m.st8.auto.paused, msg.name)
	delete(m.st8.lastEndpoint, msg.name)
	return tea.Batch(m.setStatus(statusOK, "deleted "+msg.name, ""), m.reload())
}

// saveProvider writes a provider from the form.
func saveProvider(ctx context.Context, s *store.Store, p providers.Provider, isNew bool, tag reqTag) tea.Cmd {
	seq := tag.seq
	return func() tea.Msg {
		if isNew {
			if _, err := s.Provider(ctx, p.Name); err == nil {
				return savedMsg{seq: seq, name: p.Name, isNew: isNew, err: errors.New("a provider named " + p.Name + " exists")}
			}
		}
		return savedMsg{seq: seq, name: p.Name, isNew: isNew, err: s.PutProvider(ctx, p)}
	}
}

// removeProvider deletes a provider.
func removeProvider(ctx context.Context, s *store.Store, tag reqTag) tea.Cmd {
	name, seq := tag.name, tag.seq
	return func() tea.Msg {
		return deletedMsg{seq: seq, name: name, err: s.DeleteProvider(ctx, name)}
	}
}
