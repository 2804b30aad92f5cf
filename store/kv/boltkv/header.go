package boltkv

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's on-disk meta page, as far as checkHeader needs it: a 16-byte page
// header, then magic, version, page size, flags, root bucket (16 bytes),
// freelist page, high-water page id, txid and an FNV-64a checksum of the
// fields before it.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	metaOff        = 16
	metaChecksumAt = metaOff + 56
	metaEnd        = metaChecksumAt + 8
)

type boltMeta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

// parseMeta reads one meta page; ok is false when it is not a valid one.
func parseMeta(b []byte) (m boltMeta, magic bool, ok bool) {
	if len(b) < metaEnd {
		return m, false, false
	}
	e := binary.NativeEndian
	if e.Uint32(b[metaOff:]) != boltMagic {
		return m, false, false
	}
	if e.Uint32(b[metaOff+4:]) != boltVersion {
		return m, true, false
	}
	h := fnv.New64a()
	h.Write(b[metaOff:metaChecksumAt])
	if h.Sum64() != e.Uint64(b[metaChecksumAt:]) {
		return m, true, false
	}
	m.pageSize = e.Uint32(b[metaOff+8:])
	m.pgid = e.Uint64(b[metaOff+40:])
	m.txid = e.Uint64(b[metaOff+48:])
	return m, true, m.pageSize >= 512 && m.pageSize&(m.pageSize-1) == 0
}

// checkHeader looks at an existing, non-empty file before bbolt maps it:
// it must have a valid meta page and be at least as long as that meta page
// says. bbolt reads pages past the end of a truncated file through its
// memory map, which faults; this check turns that into a plain error. It
// only reads the file.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return corruptError(path, err, "cannot read it: %v", unwrapPathError(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return corruptError(path, err, "cannot read it: %v", unwrapPathError(err))
	}
	if st.IsDir() {
		return corruptError(path, nil, "it is a directory")
	}
	size := st.Size()
	buf := make([]byte, 4096)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return corruptError(path, err, "cannot read it: %v", unwrapPathError(err))
	}
	best, magic, ok := parseMeta(buf[:n])
	sawMagic := magic
	// The second meta page follows the first at one page size; try the
	// sizes bbolt allows when the first page does not say.
	sizes := []int64{int64(best.pageSize)}
	if !ok {
		sizes = sizes[:0]
		for ps := int64(1024); ps <= 1<<24 && ps < size; ps <<= 1 {
			sizes = append(sizes, ps)
		}
	}
	for _, ps := range sizes {
		n, err := f.ReadAt(buf, ps)
		if err != nil && !errors.Is(err, io.EOF) {
			return corruptError(path, err, "cannot read it: %v", unwrapPathError(err))
		}
		m, magic, ok1 := parseMeta(buf[:n])
		sawMagic = sawMagic || magic
		if ok1 && (!ok || m.txid > best.txid) {
			best, ok = m, true
		}
		if ok1 {
			break
		}
	}
	switch {
	case !ok && !sawMagic:
		return corruptError(path, nil, "it is not a tokentop database (not a bbolt file)")
	case !ok:
		return corruptError(path, nil, "its header is damaged (no valid bbolt meta page)")
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return corruptError(path, nil, "it is truncated (%d bytes; its header says %d)", size, need)
	}
	return nil
}
