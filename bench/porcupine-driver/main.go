// Times Porcupine's linearizability check on a Faultline JSONL register history, for the
// Porcupine column of bench/linearizability-scale.ts (see that file for how to build it).
//
//	porcupine-driver HISTORY.jsonl [TIMEOUT_SECONDS]
//
// Reads the history (not timed), pairs invocations with completions and builds Porcupine
// operations with the cas-register semantics Faultline checks by default (Knossos's): reads of
// null carry no value and are dropped, failed ops did not happen, and an op that never completed
// or ended info may take effect at any later point (its return is the end of time and its
// output unknown, so any state explains it). Then times porcupine.CheckOperationsTimeout and
// prints one JSON line: {"ops":N,"result":"ok"|"illegal"|"unknown","ms":T,"maxRssMb":M}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
)

type event struct {
	Index   int64           `json:"index"`
	Process json.RawMessage `json:"process"`
	Type    string          `json:"type"`
	F       string          `json:"f"`
	Value   json.RawMessage `json:"value"`
}

const (
	opRead = iota
	opWrite
	opCas
)

// absent stands for the register's initial value (null) and for a read of null.
const absent = math.MinInt64

type input struct {
	op       int
	from, to int64
}

type output struct {
	value   int64
	unknown bool
}

func number(raw json.RawMessage) int64 {
	var v *int64
	if err := json.Unmarshal(raw, &v); err != nil {
		panic(fmt.Sprintf("expected a number or null, got %s", raw))
	}
	if v == nil {
		return absent
	}
	return *v
}

func toInput(f string, value json.RawMessage) input {
	switch f {
	case "read":
		return input{op: opRead}
	case "write":
		return input{op: opWrite, to: number(value)}
	case "cas":
		var pair []json.RawMessage
		if err := json.Unmarshal(value, &pair); err != nil || len(pair) != 2 {
			panic(fmt.Sprintf("cas value must be [old, new], got %s", value))
		}
		return input{op: opCas, from: number(pair[0]), to: number(pair[1])}
	}
	panic("unknown f " + f)
}

var model = porcupine.Model{
	Init: func() interface{} { return int64(absent) },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		st := state.(int64)
		i := in.(input)
		o := out.(output)
		switch i.op {
		case opRead:
			return o.unknown || o.value == st, st
		case opWrite:
			return true, i.to
		default:
			if o.unknown {
				if st == i.from {
					return true, i.to
				}
				return true, st
			}
			return st == i.from, i.to
		}
	},
	Hash: func(state interface{}) uint64 { return uint64(state.(int64)) },
}

func readOperations(path string) []porcupine.Operation {
	file, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	defer file.Close()
	type open struct {
		call int64
		in   input
	}
	pending := map[string]open{}
	var ops []porcupine.Operation
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			panic(err)
		}
		proc := string(e.Process)
		if proc == `"nemesis"` {
			continue
		}
		if e.Type == "invoke" {
			pending[proc] = open{call: e.Index, in: toInput(e.F, e.Value)}
			continue
		}
		p := pending[proc]
		delete(pending, proc)
		switch {
		case e.Type == "fail":
		case e.Type == "info":
			if p.in.op != opRead {
				ops = append(ops, porcupine.Operation{Input: p.in, Call: p.call, Output: output{unknown: true}, Return: math.MaxInt64})
			}
		case p.in.op == opRead && number(e.Value) == absent:
		default:
			out := output{}
			if p.in.op == opRead {
				out.value = number(e.Value)
			}
			ops = append(ops, porcupine.Operation{Input: p.in, Call: p.call, Output: out, Return: e.Index})
		}
	}
	if err := scanner.Err(); err != nil {
		panic(err)
	}
	for _, p := range pending {
		if p.in.op != opRead {
			ops = append(ops, porcupine.Operation{Input: p.in, Call: p.call, Output: output{unknown: true}, Return: math.MaxInt64})
		}
	}
	return ops
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: porcupine-driver HISTORY.jsonl [TIMEOUT_SECONDS]")
		os.Exit(2)
	}
	timeout := time.Duration(0)
	if len(os.Args) > 2 {
		s, err := strconv.ParseFloat(os.Args[2], 64)
		if err != nil {
			panic(err)
		}
		timeout = time.Duration(s * float64(time.Second))
	}
	ops := readOperations(os.Args[1])
	started := time.Now()
	res := porcupine.CheckOperationsTimeout(model, ops, timeout)
	elapsed := time.Since(started)
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	result := map[porcupine.CheckResult]string{porcupine.Ok: "ok", porcupine.Illegal: "illegal", porcupine.Unknown: "unknown"}[res]
	fmt.Printf("{\"ops\":%d,\"result\":%q,\"ms\":%.1f,\"maxRssMb\":%d}\n", len(ops), result, float64(elapsed.Microseconds())/1000, usage.Maxrss/1024)
}
