// Command porcupine-bench runs Porcupine (github.com/anishathalye/porcupine)
// on the histories `ccsim lincheck` reads, so that scripts/bench/lincheck.sh
// prints Porcupine's figures measured on this machine beside ccsim's,
// instead of constants.  Our own code: it reads the EDN maps of the corpus
// and of tools/genhist, one per line, and gives them to Porcupine with the
// models ccsim names (cas-register, register, kv).  Porcupine itself is not
// in this repository: the bench script builds this file against a checkout
// named by $PORCUPINE_SRC (a `replace` in a go.mod written to a temporary
// folder), offline.
//
// usage: porcupine-bench --model cas-register|register|kv [--timeout SECONDS] FILE...
//
// Prints one line per file, "FILE: ok|illegal|unknown (porcupine, S s)",
// the verdict words of `ccsim lincheck`, then
// "stats: parse P s, search S s, RSS R MiB".
package main

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
)

// A value of an EDN map: nil, a number, a string, a keyword or a pair [a b].
type ednValue struct {
	isNil bool
	num   int64
	str   string
	pair  [2]int64
}

type ednOp struct {
	typ, f, key string
	process     int64
	value       ednValue
}

// regInput / regOutput: a register with read, write and cas (nil is noValue).
const noValue = int64(-1 << 62)

type regInput struct {
	op         uint8 // 0 read, 1 write, 2 cas
	arg1, arg2 int64
}

type regOutput struct {
	ok, unknown bool
	value       int64
}

type kvInput struct {
	op         uint8 // 0 get, 1 put, 2 append
	key, value string
}

type kvOutput struct {
	value   string
	unknown bool
}

func regStep(state, input, output interface{}) (bool, interface{}) {
	st, in, out := state.(int64), input.(regInput), output.(regOutput)
	switch in.op {
	case 0:
		return out.unknown || out.value == st, st
	case 1:
		return true, in.arg1
	default:
		if in.arg1 == st {
			return out.unknown || out.ok, in.arg2
		}
		return out.unknown || !out.ok, st
	}
}

var regModel = porcupine.Model{
	Init: func() interface{} { return noValue },
	Step: regStep,
	Hash: func(state interface{}) uint64 { return uint64(state.(int64)) * 0x9e3779b97f4a7c15 },
}

func kvStep(state, input, output interface{}) (bool, interface{}) {
	st, in, out := state.(string), input.(kvInput), output.(kvOutput)
	switch in.op {
	case 0:
		return out.unknown || out.value == st, st
	case 1:
		return true, in.value
	default:
		return true, st + in.value
	}
}

// kvPartition: one history per key, in key order.
func kvPartition(history []porcupine.Event) [][]porcupine.Event {
	byKey := map[string][]porcupine.Event{}
	keyOf := map[int]string{}
	for _, e := range history {
		if e.Kind == porcupine.CallEvent {
			keyOf[e.Id] = e.Value.(kvInput).key
		}
		k := keyOf[e.Id]
		byKey[k] = append(byKey[k], e)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]porcupine.Event, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out
}

func kvModel(init string) porcupine.Model {
	return porcupine.Model{
		PartitionEvent: kvPartition,
		Init:           func() interface{} { return init },
		Step:           kvStep,
		Hash: func(state interface{}) uint64 {
			h := fnv.New64a()
			h.Write([]byte(state.(string)))
			return h.Sum64()
		},
	}
}

// parseValue reads one EDN value at the start of s; returns it and the rest.
func parseValue(s string) (ednValue, string, error) {
	s = strings.TrimLeft(s, " ,")
	switch {
	case strings.HasPrefix(s, "nil"):
		return ednValue{isNil: true}, s[3:], nil
	case strings.HasPrefix(s, "\""):
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return ednValue{}, s, fmt.Errorf("unterminated string")
		}
		return ednValue{str: s[1 : 1+end]}, s[2+end:], nil
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return ednValue{}, s, fmt.Errorf("unterminated vector")
		}
		parts := strings.Fields(strings.ReplaceAll(s[1:end], ",", " "))
		if len(parts) != 2 {
			return ednValue{}, s, fmt.Errorf("a pair [a b] expected")
		}
		a, err1 := strconv.ParseInt(parts[0], 10, 64)
		b, err2 := strconv.ParseInt(parts[1], 10, 64)
		if err1 != nil || err2 != nil {
			return ednValue{}, s, fmt.Errorf("a pair of numbers expected")
		}
		return ednValue{pair: [2]int64{a, b}}, s[end+1:], nil
	default:
		end := strings.IndexAny(s, " ,}")
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		if n, err := strconv.ParseInt(word, 10, 64); err == nil {
			return ednValue{num: n}, s[end:], nil
		}
		return ednValue{str: word}, s[end:], nil
	}
}

func parseLine(line string) (ednOp, error) {
	var op ednOp
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, "{") {
		return op, fmt.Errorf("a map {...} expected")
	}
	s = s[1:]
	for {
		s = strings.TrimLeft(s, " ,")
		if strings.HasPrefix(s, "}") || s == "" {
			return op, nil
		}
		end := strings.IndexAny(s, " ,")
		if end < 0 || s[0] != ':' {
			return op, fmt.Errorf("a :key expected")
		}
		key := s[:end]
		v, rest, err := parseValue(s[end:])
		if err != nil {
			return op, err
		}
		s = rest
		switch key {
		case ":type":
			op.typ = v.str
		case ":f":
			op.f = v.str
		case ":key":
			op.key = v.str
		case ":process":
			op.process = v.num
		case ":value":
			op.value = v
		}
	}
}

func readOps(path string) ([]ednOp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ops []ednOp
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		op, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		ops = append(ops, op)
	}
	return ops, sc.Err()
}

func regIn(op ednOp) regInput {
	switch op.f {
	case ":read":
		return regInput{op: 0}
	case ":write":
		return regInput{op: 1, arg1: op.value.num}
	default:
		return regInput{op: 2, arg1: op.value.pair[0], arg2: op.value.pair[1]}
	}
}

func regOut(op ednOp) regOutput {
	if op.f == ":read" {
		if op.value.isNil {
			return regOutput{value: noValue}
		}
		return regOutput{value: op.value.num}
	}
	return regOutput{ok: op.typ == ":ok"}
}

func kvIn(op ednOp) kvInput {
	code := map[string]uint8{":get": 0, ":put": 1, ":append": 2}[op.f]
	return kvInput{op: code, key: op.key, value: op.value.str}
}

// toEvents: an invoke opens a call; :ok (and a cas's :fail) closes it; an
// :info leaves it open to the end (it may take effect any time after); a
// :fail of anything else did not happen and its call is dropped.
func toEvents(ops []ednOp, kv bool) []porcupine.Event {
	var events []porcupine.Event
	open := map[int64]int{}
	dropped := map[int]bool{}
	var info []int
	next := 0
	unknown := func(id int) porcupine.Event {
		if kv {
			return porcupine.Event{Kind: porcupine.ReturnEvent, Value: kvOutput{unknown: true}, Id: id}
		}
		return porcupine.Event{Kind: porcupine.ReturnEvent, Value: regOutput{unknown: true}, Id: id}
	}
	for _, op := range ops {
		if op.typ == ":invoke" {
			id := next
			next++
			open[op.process] = id
			var in interface{} = regIn(op)
			if kv {
				in = kvIn(op)
			}
			events = append(events, porcupine.Event{ClientId: int(op.process), Kind: porcupine.CallEvent, Value: in, Id: id})
			continue
		}
		id, ok := open[op.process]
		if !ok {
			continue
		}
		delete(open, op.process)
		switch {
		case op.typ == ":info":
			info = append(info, id)
		case op.typ == ":fail" && op.f == ":cas":
			events = append(events, porcupine.Event{Kind: porcupine.ReturnEvent, Value: regOutput{ok: false}, Id: id})
		case op.typ == ":fail" && op.f == ":read":
			events = append(events, unknown(id))
		case op.typ == ":fail":
			dropped[id] = true
		case kv:
			events = append(events, porcupine.Event{Kind: porcupine.ReturnEvent, Value: kvOutput{value: op.value.str}, Id: id})
		default:
			events = append(events, porcupine.Event{Kind: porcupine.ReturnEvent, Value: regOut(op), Id: id})
		}
	}
	for _, id := range open {
		info = append(info, id)
	}
	sort.Ints(info)
	for _, id := range info {
		events = append(events, unknown(id))
	}
	kept := events[:0]
	for _, e := range events {
		if !dropped[e.Id] {
			kept = append(kept, e)
		}
	}
	return renumber(kept)
}

// renumber gives the calls ids 0, 1, 2... in order, as Porcupine expects.
func renumber(events []porcupine.Event) []porcupine.Event {
	ids := map[int]int{}
	for i := range events {
		if events[i].Kind == porcupine.CallEvent {
			ids[events[i].Id] = len(ids)
		}
		events[i].Id = ids[events[i].Id]
	}
	return events
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: porcupine-bench --model cas-register|register|kv [--init VALUE] [--timeout SECONDS] FILE...")
	os.Exit(2)
}

func main() {
	model, init, timeout := "", "", 600.0
	var files []string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--model", "--init", "--timeout":
			if i+1 >= len(args) {
				usage()
			}
			switch args[i] {
			case "--model":
				model = args[i+1]
			case "--init":
				init = strings.Trim(args[i+1], "\"")
			default:
				t, err := strconv.ParseFloat(args[i+1], 64)
				if err != nil || t <= 0 {
					usage()
				}
				timeout = t
			}
			i++
		default:
			files = append(files, args[i])
		}
	}
	kv := model == "kv"
	if (!kv && model != "cas-register" && model != "register") || len(files) == 0 {
		usage()
	}
	m := regModel
	if kv {
		m = kvModel(init)
	}
	var parse, search time.Duration
	for _, path := range files {
		t0 := time.Now()
		ops, err := readOps(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		events := toEvents(ops, kv)
		t1 := time.Now()
		res := porcupine.CheckEventsTimeout(m, events, time.Duration(timeout*float64(time.Second)))
		t2 := time.Now()
		parse += t1.Sub(t0)
		search += t2.Sub(t1)
		verdict := map[porcupine.CheckResult]string{porcupine.Ok: "ok", porcupine.Illegal: "illegal", porcupine.Unknown: "unknown"}[res]
		fmt.Printf("%s: %s (porcupine, %.3f s)\n", path, verdict, t2.Sub(t0).Seconds())
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("stats: parse %.3f s, search %.3f s, RSS %.1f MiB\n", parse.Seconds(), search.Seconds(), float64(ru.Maxrss)/1024)
}
