package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// scenario is one tests/testdata/gears/<name>.expected (format in the
// README beside them).
type scenario struct {
	Setup       [][]string   `json:"setup"`
	Reply       *[2][]string `json:"reply"`
	ErrorPrefix *string      `json:"error_prefix"`
	Unordered   bool         `json:"unordered"`
}

// TestGearsScenarios runs every RG.PYEXECUTE scenario against the real
// server and compares its reply with the expected one.
func TestGearsScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/gears/*.py")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios found: %v", err)
	}
	s := startServer(t)
	c := s.Client(t)
	ctx := context.Background()
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".py")
		t.Run(name, func(t *testing.T) {
			code, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(strings.TrimSuffix(file, ".py") + ".expected")
			if err != nil {
				t.Fatal(err)
			}
			var sc scenario
			if err := json.Unmarshal(raw, &sc); err != nil {
				t.Fatalf("%s.expected: %v", name, err)
			}
			MustDo(t, c, "FLUSHALL")
			for _, cmd := range sc.Setup {
				args := make([]any, len(cmd))
				for i, a := range cmd {
					args[i] = a
				}
				MustDo(t, c, args...)
			}
			reply, err := c.Do(ctx, "RG.PYEXECUTE", string(code)).Result()
			switch {
			case sc.ErrorPrefix != nil:
				if err == nil || err == redis.Nil || !strings.HasPrefix(err.Error(), *sc.ErrorPrefix) {
					t.Fatalf("want an error starting with %q, got %v %v", *sc.ErrorPrefix, reply, err)
				}
			case sc.Reply != nil:
				if err != nil {
					t.Fatalf("want %v, got error %v", *sc.Reply, err)
				}
				results, errs, ok := resultsOf(reply)
				if !ok {
					t.Fatalf("want [[results] [errors]], got %#v", reply)
				}
				want := sc.Reply[0]
				if sc.Unordered {
					sort.Strings(results)
					want = append([]string(nil), want...)
					sort.Strings(want)
				}
				if !reflect.DeepEqual(nonNil(results), nonNil(want)) || !reflect.DeepEqual(nonNil(errs), nonNil(sc.Reply[1])) {
					t.Fatalf("got  results %q errors %q\nwant results %q errors %q", results, errs, want, sc.Reply[1])
				}
			default:
				t.Fatalf("%s.expected has neither reply nor error_prefix", name)
			}
		})
	}
}

func resultsOf(reply any) (results, errs []string, ok bool) {
	parts, ok := reply.([]any)
	if !ok || len(parts) != 2 {
		return nil, nil, false
	}
	for i, dst := range []*[]string{&results, &errs} {
		list, ok := parts[i].([]any)
		if !ok {
			return nil, nil, false
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, nil, false
			}
			*dst = append(*dst, s)
		}
	}
	return results, errs, true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
