// Checks stepguard's published trees, notes and proofs with golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog, and makes the same kinds of files with them for stepguard to check.
//
//	interop check DIR LOG_VKEY PROOF REQUEST OLD_CHECKPOINT WITNESS_VKEY
//	interop make LOG OUT ORIGIN OLD_SIZE INDEX
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "interop: "+format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func read(path string) []byte {
	data, err := os.ReadFile(path)
	must(err, "read "+path)
	return data
}

// A C2SP tlog-tiles path is the sumdb one without the height element: tile/8/L/N → tile/L/N.
func c2spPath(t tlog.Tile) string {
	if t.H != 8 {
		fail("tile height %d", t.H)
	}
	p := t.Path()
	if t.L == -1 {
		return "tile/entries/" + strings.TrimPrefix(p, "tile/8/data/")
	}
	return "tile/" + strings.TrimPrefix(p, "tile/8/")
}

type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }
func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(d.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}
func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func parseCheckpoint(text string) checkpoint {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		fail("checkpoint body %q", text)
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	must(err, "checkpoint size")
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var hash tlog.Hash
	copy(hash[:], h)
	return checkpoint{lines[0], tlog.Tree{N: n, Hash: hash}}
}

func openNote(msg []byte, vkey string) (*note.Note, checkpoint) {
	v, err := note.NewVerifier(vkey)
	must(err, "log verifier key")
	n, err := note.Open(msg, note.VerifierList(v))
	must(err, "note.Open")
	return n, parseCheckpoint(n.Text)
}

func hashLines(lines []string) []tlog.Hash {
	var out []tlog.Hash
	for _, line := range lines {
		h, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(h) != tlog.HashSize {
			fail("hash line %q", line)
		}
		var hash tlog.Hash
		copy(hash[:], h)
		out = append(out, hash)
	}
	return out
}

// Splits "header lines, empty line, note" as tlog-proof and add-checkpoint bodies are.
func splitBody(data []byte) ([]string, []byte) {
	i := bytes.Index(data, []byte("\n\n"))
	if i < 0 {
		fail("no empty line in body")
	}
	return strings.Split(string(data[:i]), "\n"), data[i+2:]
}

func parseWitnessKey(vkey string) (string, uint32, ed25519.PublicKey) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		fail("witness key %q", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("witness key %q is not a cosignature/v1 key", vkey)
	}
	sum := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	id := binary.BigEndian.Uint32(sum[:4])
	if fmt.Sprintf("%08x", id) != parts[1] {
		fail("witness key id %s, computed %08x", parts[1], id)
	}
	return parts[0], id, ed25519.PublicKey(raw[1:])
}

func cosignatureMessage(text string, t uint64) []byte {
	return []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, text))
}

func check(args []string) {
	dir, logKey, proofPath, requestPath, oldPath, witnessKey := args[0], strings.TrimSpace(string(read(args[1]))), args[2], args[3], args[4], strings.TrimSpace(string(read(args[5])))

	// The published checkpoint, opened with the log's Ed25519 verifier key.
	n, cp := openNote(read(filepath.Join(dir, "checkpoint")), logKey)
	fmt.Printf("ok: note.Open verified %s/checkpoint: %s, %d records\n", dir, cp.origin, cp.tree.N)

	// Tiles through tlog.TileHashReader, which authenticates every tile it reads against the tree.
	hr := tlog.TileHashReader(cp.tree, dirTiles{dir})
	root, err := tlog.TreeHash(cp.tree.N, hr)
	must(err, "tlog.TreeHash")
	if root != cp.tree.Hash {
		fail("tree hash %v, checkpoint %v", root, cp.tree.Hash)
	}
	fmt.Printf("ok: tlog.TreeHash over the tiles equals the checkpoint root\n")
	for start := int64(0); start < cp.tree.N; start += 256 {
		w := cp.tree.N - start
		if w > 256 {
			w = 256
		}
		bundle := read(filepath.Join(dir, c2spPath(tlog.Tile{H: 8, L: -1, N: start / 256, W: int(w)})))
		for i := int64(0); i < w; i++ {
			if len(bundle) < 2 {
				fail("bundle %d cut short", start/256)
			}
			size := int(binary.BigEndian.Uint16(bundle))
			entry := bundle[2 : 2+size]
			bundle = bundle[2+size:]
			hashes, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, start+i)})
			must(err, "ReadHashes")
			if tlog.RecordHash(entry) != hashes[0] {
				fail("entry %d does not hash to its level-0 tile hash", start+i)
			}
		}
		if len(bundle) != 0 {
			fail("bundle %d has %d bytes left", start/256, len(bundle))
		}
	}
	fmt.Printf("ok: every entry bundle entry's tlog.RecordHash equals its tile hash\n")

	// The witness's cosignature/v1 on the published checkpoint.
	wname, wid, wpub := parseWitnessKey(witnessKey)
	found := false
	for _, sig := range n.UnverifiedSigs {
		if sig.Name != wname || sig.Hash != wid {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(sig.Base64)
		must(err, "cosignature base64")
		if len(raw) != 4+8+64 {
			fail("cosignature length %d", len(raw))
		}
		t := binary.BigEndian.Uint64(raw[4:12])
		if !ed25519.Verify(wpub, cosignatureMessage(n.Text, t), raw[12:]) {
			fail("cosignature of %s does not verify", wname)
		}
		found = true
	}
	if !found {
		fail("no cosignature by %s", wname)
	}
	fmt.Printf("ok: crypto/ed25519 verified the cosignature/v1 of %s\n", wname)

	// A tlog-proof: its checkpoint opens, tlog.CheckRecord accepts it, and tlog.ProveRecord agrees.
	header, proofNote := splitBody(read(proofPath))
	if header[0] != "c2sp.org/tlog-proof@v1" || !strings.HasPrefix(header[1], "extra ") || !strings.HasPrefix(header[2], "index ") {
		fail("tlog-proof header %q", header)
	}
	record, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(header[1], "extra "))
	must(err, "extra")
	index, err := strconv.ParseInt(strings.TrimPrefix(header[2], "index "), 10, 64)
	must(err, "index")
	_, pcp := openNote(proofNote, logKey)
	proof := tlog.RecordProof(hashLines(header[3:]))
	must(tlog.CheckRecord(proof, pcp.tree.N, pcp.tree.Hash, index, tlog.RecordHash(record)), "tlog.CheckRecord")
	ours, err := tlog.ProveRecord(pcp.tree.N, index, hr)
	must(err, "tlog.ProveRecord")
	if fmt.Sprint(ours) != fmt.Sprint(proof) {
		fail("tlog.ProveRecord differs from stepguard's proof")
	}
	fmt.Printf("ok: tlog.CheckRecord accepted the tlog-proof of record %d, identical to tlog.ProveRecord's\n", index)

	// An add-checkpoint body: tlog.CheckTree accepts its consistency proof from the old checkpoint.
	lines, requestNote := splitBody(read(requestPath))
	old, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "old "), 10, 64)
	must(err, "old size")
	_, rcp := openNote(requestNote, logKey)
	_, ocp := openNote(read(oldPath), logKey)
	if ocp.tree.N != old {
		fail("old checkpoint has %d records, request says %d", ocp.tree.N, old)
	}
	treeProof := tlog.TreeProof(hashLines(lines[1:]))
	must(tlog.CheckTree(treeProof, rcp.tree.N, rcp.tree.Hash, old, ocp.tree.Hash), "tlog.CheckTree")
	oursTree, err := tlog.ProveTree(rcp.tree.N, old, hr)
	must(err, "tlog.ProveTree")
	if fmt.Sprint(oursTree) != fmt.Sprint(treeProof) {
		fail("tlog.ProveTree differs from stepguard's proof")
	}
	fmt.Printf("ok: tlog.CheckTree accepted the consistency proof from %d to %d, identical to tlog.ProveTree's\n", old, rcp.tree.N)
}

type memoryHashes []tlog.Hash

func (m *memoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(*m)) {
			return nil, errors.New("hash not stored")
		}
		out[i] = (*m)[x]
	}
	return out, nil
}

// A fixed byte stream, so that the generated keys are the same on every run.
type fixed struct{ next byte }

func (f *fixed) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = f.next
		f.next++
	}
	return len(p), nil
}

func write(path string, data []byte) {
	must(os.MkdirAll(filepath.Dir(path), 0o755), "mkdir")
	must(os.WriteFile(path, data, 0o644), "write "+path)
}

func makeFiles(args []string) {
	logPath, out, origin := args[0], args[1], args[2]
	oldSize, err := strconv.ParseInt(args[3], 10, 64)
	must(err, "old size")
	index, err := strconv.ParseInt(args[4], 10, 64)
	must(err, "index")

	var records [][]byte
	scanner := bufio.NewScanner(bytes.NewReader(read(logPath)))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		records = append(records, append([]byte(nil), scanner.Bytes()...))
	}
	var stored memoryHashes
	for i, record := range records {
		hashes, err := tlog.StoredHashes(int64(i), record, &stored)
		must(err, "tlog.StoredHashes")
		stored = append(stored, hashes...)
	}
	size := int64(len(records))
	root, err := tlog.TreeHash(size, &stored)
	must(err, "tlog.TreeHash")

	skey, vkey, err := note.GenerateKey(&fixed{1}, origin)
	must(err, "note.GenerateKey")
	signer, err := note.NewSigner(skey)
	must(err, "note.NewSigner")
	write(filepath.Join(out, "log.vkey"), []byte(vkey+"\n"))
	body := func(n int64, h tlog.Hash) string {
		return fmt.Sprintf("%s\n%d\n%s\n", origin, n, base64.StdEncoding.EncodeToString(h[:]))
	}
	signed, err := note.Sign(&note.Note{Text: body(size, root)}, signer)
	must(err, "note.Sign")

	// A witness cosignature/v1, made here from the spec with crypto/ed25519.
	wpub, wpriv, err := ed25519.GenerateKey(&fixed{101})
	must(err, "ed25519.GenerateKey")
	wname := "go.witness.example"
	sum := sha256.Sum256(append([]byte(wname+"\n\x04"), wpub...))
	wid := binary.BigEndian.Uint32(sum[:4])
	write(filepath.Join(out, "witness.vkey"), []byte(fmt.Sprintf("%s+%08x+%s\n", wname, wid, base64.StdEncoding.EncodeToString(append([]byte{0x04}, wpub...)))))
	const when = uint64(1780000000)
	sig := ed25519.Sign(wpriv, cosignatureMessage(body(size, root), when))
	raw := make([]byte, 12, 12+64)
	binary.BigEndian.PutUint32(raw, wid)
	binary.BigEndian.PutUint64(raw[4:], when)
	cosigned := string(signed) + "— " + wname + " " + base64.StdEncoding.EncodeToString(append(raw, sig...)) + "\n"
	write(filepath.Join(out, "tiles", "checkpoint"), []byte(cosigned))

	// Hash tiles with tlog.NewTiles and tlog.ReadTileData; entry bundles by the C2SP format.
	for _, t := range tlog.NewTiles(8, 0, size) {
		// NewTiles lists every partial width from 1 up; a tree serves only its own.
		if t.W != 256 && int64(t.W) != size>>(8*uint(t.L))-t.N*256 {
			continue
		}
		data, err := tlog.ReadTileData(t, &stored)
		must(err, "tlog.ReadTileData")
		if t.L == 0 {
			var bundle []byte
			for _, record := range records[t.N*256 : t.N*256+int64(t.W)] {
				bundle = binary.BigEndian.AppendUint16(bundle, uint16(len(record)))
				bundle = append(bundle, record...)
			}
			write(filepath.Join(out, "tiles", c2spPath(tlog.Tile{H: 8, L: -1, N: t.N, W: t.W})), bundle)
		}
		write(filepath.Join(out, "tiles", c2spPath(t)), data)
	}

	// A tlog-proof of one record, and an add-checkpoint body from the old size.
	proof, err := tlog.ProveRecord(size, index, &stored)
	must(err, "tlog.ProveRecord")
	var text strings.Builder
	text.WriteString("c2sp.org/tlog-proof@v1\nextra " + base64.StdEncoding.EncodeToString(records[index]) + fmt.Sprintf("\nindex %d\n", index))
	for _, h := range proof {
		text.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	write(filepath.Join(out, "proof.tlog-proof"), []byte(text.String()+"\n"+cosigned))
	treeProof, err := tlog.ProveTree(size, oldSize, &stored)
	must(err, "tlog.ProveTree")
	text.Reset()
	text.WriteString(fmt.Sprintf("old %d\n", oldSize))
	for _, h := range treeProof {
		text.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	write(filepath.Join(out, "request.txt"), []byte(text.String()+"\n"+string(signed)))
	oldRoot, err := tlog.TreeHash(oldSize, &stored)
	must(err, "tlog.TreeHash old")
	write(filepath.Join(out, "old-root"), []byte(base64.StdEncoding.EncodeToString(oldRoot[:])+"\n"))
	fmt.Printf("ok: made %d records' tiles, a checkpoint, a cosignature, a tlog-proof of record %d and a consistency proof from %d\n", size, index, oldSize)
}

func main() {
	switch {
	case len(os.Args) == 8 && os.Args[1] == "check":
		check(os.Args[2:])
	case len(os.Args) == 7 && os.Args[1] == "make":
		makeFiles(os.Args[2:])
	default:
		fail("usage: interop check DIR LOG_VKEY PROOF REQUEST OLD_CHECKPOINT WITNESS_VKEY | interop make LOG OUT ORIGIN OLD_SIZE INDEX")
	}
}
