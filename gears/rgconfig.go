package gears

import (
	"strconv"
	"strings"
	"sync"

	"github.com/gearsd/gearsd/resp"
)

// rgConfig holds RedisGears' own configuration (spec config.md): engine
// keys, Python plugin keys and the extra dictionary.
type rgConfig struct {
	mu     sync.Mutex
	engine map[string]int64  // canonical engine key -> value
	plugin []string          // Plugin, repeatable
	python map[string]string // canonical Python key -> value as given
	extraD map[string]string // the extra dictionary (case-sensitive)
}

type engineKey struct {
	name    string
	def     int64
	runtime bool
	min     int64 // smallest accepted value
}

// Engine keys: matched case-insensitively by CONFIGSET, exactly by
// CONFIGGET (config.md §2).
var engineKeys = []engineKey{
	{"MaxExecutions", 1000, true, -1 << 62},
	{"MaxExecutionsPerRegistration", 100, true, -1 << 62},
	{"ProfileExecutions", 0, true, -1 << 62},
	{"ExecutionThreads", 3, false, 1},
	{"ExecutionMaxIdleTime", 5000, true, 1},
	{"SendMsgRetries", 3, true, 0},
}

type pythonKey struct {
	name    string
	def     string
	kind    byte // 'b' bool, 'i' int > 0, 's' string
	runtime bool
}

// Python plugin keys: case-sensitive everywhere.
var pythonKeys = []pythonKey{
	{"PythonAttemptTraceback", "1", 'b', true},
	{"PythonInstallReqMaxIdleTime", "30000", 'i', true},
	{"CreateVenv", "0", 'b', false},
	{"DownloadDeps", "0", 'b', false},
	{"ForeceDownloadDepsOnEnterprise", "0", 'b', false},
	{"OverridePythonAllocators", "1", 'b', false},
	{"DependenciesUrl", "", 's', false},
	{"DependenciesSha256", "", 's', false},
	{"PythonInstallationDir", "/var/opt/redislabs/modules/rg", 's', false},
}

func newRGConfig() *rgConfig {
	c := &rgConfig{engine: map[string]int64{}, python: map[string]string{}, extraD: map[string]string{}}
	for _, k := range engineKeys {
		c.engine[k.name] = k.def
	}
	for _, k := range pythonKeys {
		c.python[k.name] = k.def
	}
	return c
}

func findEngineKey(name string) (engineKey, bool) {
	for _, k := range engineKeys {
		if strings.EqualFold(k.name, name) {
			return k, true
		}
	}
	return engineKey{}, false
}

func findPythonKey(name string) (pythonKey, bool) {
	for _, k := range pythonKeys {
		if k.name == name {
			return k, true
		}
	}
	return pythonKey{}, false
}

// int returns an engine key's value.
func (c *rgConfig) int(name string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.engine[name]
}

func (c *rgConfig) extra(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.extraD[key]
	return v, ok
}

// get answers one RG.CONFIGGET element (config.md §3).
func (c *rgConfig) get(key string) resp.Value {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key == "Plugin" {
		return resp.BulkArray(c.plugin)
	}
	for _, k := range engineKeys {
		if k.name == key {
			return resp.Int(c.engine[key])
		}
	}
	if k, ok := findPythonKey(key); ok {
		v := c.python[key]
		if k.kind == 's' {
			return resp.Bulk(v)
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		if k.kind == 'b' && n != 0 {
			n = 1
		}
		return resp.Int(n)
	}
	if v, ok := c.extraD[key]; ok {
		return resp.Bulk(v)
	}
	return resp.Err("(error) Unsupported config parameter: " + key)
}

// set processes RG.CONFIGSET's pairs left to right (config.md §4). At load
// time (atLoad) runtime restrictions do not apply.
func (c *rgConfig) set(args []string, atLoad bool) []resp.Value {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []resp.Value
	for i := 0; i < len(args); i += 2 {
		key := args[i]
		hasValue := i+1 < len(args)
		value := ""
		if hasValue {
			value = args[i+1]
		}
		if strings.EqualFold(key, "Plugin") {
			if !atLoad {
				out = append(out, resp.Err("(error) Config value "+key+" not modifiable at runtime"))
				continue
			}
			c.plugin = append(c.plugin, value)
			out = append(out, resp.OK)
			continue
		}
		if k, ok := findEngineKey(key); ok {
			if !k.runtime && !atLoad {
				out = append(out, resp.Err("(error) Config value "+key+" not modifiable at runtime"))
				continue
			}
			n, err := strconv.ParseInt(value, 10, 64)
			if !hasValue || err != nil || n < k.min {
				out = append(out, resp.Err("(error) Failed setting config value "+key))
				continue
			}
			c.engine[k.name] = n
			out = append(out, resp.OK)
			continue
		}
		if !hasValue {
			out = append(out, resp.Err("(error) Value was not given to "+key))
			continue
		}
		if k, ok := findPythonKey(key); ok {
			if !k.runtime && !atLoad {
				out = append(out, resp.Err("(error) "+key+" is not configurable at runtime"))
				continue
			}
			if k.kind != 's' {
				n, err := strconv.ParseInt(value, 10, 64)
				if err != nil || (k.kind == 'i' && n <= 0) {
					out = append(out, resp.Err("Failed setting config value for key '"+key+"' with value '"+value+"'"))
					continue
				}
			}
			c.python[key] = value
		}
		c.extraD[key] = value
		out = append(out, resp.Simple("OK - value was saved in extra config dictionary"))
	}
	return out
}
