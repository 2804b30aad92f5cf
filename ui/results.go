package ui

import tea "github.com/charmbracelet/bubbletea"

// onResult applies a command's result to its flow, unless the tagger says
// it is stale.
func (m *Model) onResult(res result) tea.Cmd {
	if m.tags.stale(res.tag()) {
		return m.dropStale(res)
	}
	switch res := res.(type) {
	case summariesMsg:
		return m.onSummaries(res)
	case feedMsg:
		return m.onFeed(res)
	case changeMsg:
		return m.onChange(res)
	case refreshedMsg:
		return m.onRefreshed(res)
	case detailDataMsg:
		m.detail.SetData(res)
		return nil
	case copiedMsg:
		return m.onCopied(res)
	case clipClearMsg:
		return clearClipboard(m.ctx, m.clip, res.tag())
	case clipClearedMsg:
		return m.onClipCleared(res)
	case callDoneMsg:
		return m.onCallDone(res)
	case doctorStepMsg:
		m.doctor.Add(res.check)
		return nextDoctorMsg(res.next)
	case doctorDoneMsg:
		return m.onDoctorDone(res)
	case savedMsg:
		return m.onSaved(res)
	case deletedMsg:
		return m.onDeleted(res)
	case loginStepMsg:
		return m.onLoginStep(res)
	case loginDoneMsg:
		return m.onLoginDone(res)
	case stateSavedMsg:
		return m.onStateSaved(res)
	}
	return nil
}

// dropStale is what a stale result still asks for: a reload's end lets the
// next one start, and a stale diagnosis is still read to its end.
func (m *Model) dropStale(res result) tea.Cmd {
	switch res := res.(type) {
	case summariesMsg:
		return m.endLoad()
	case doctorStepMsg:
		return nextDoctorMsg(res.next)
	case loginStepMsg:
		return nextLoginMsg(res.next)
	}
	return nil
}
