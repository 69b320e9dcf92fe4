package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Returned by Load when the arguments ask for help or the version instead of
// a server; the caller prints Usage or its version and exits 0.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// EnvPrefix starts the environment variable of every setting:
// GEARSD_SCHEDULER_LANES=2 sets scheduler.lanes.
const EnvPrefix = "GEARSD_"

// EnvGears holds RedisGears pairs given through the environment, as a
// whitespace-separated list like the module's arguments:
// GEARSD_GEARS="MaxExecutions 100 ProfileExecutions 1". (Per-key variables
// cannot work: environment names lose the case RedisGears' keys need.)
const EnvGears = EnvPrefix + "GEARS"

// EnvName returns the environment variable that sets the named setting.
func EnvName(name string) string {
	return EnvPrefix + strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(name))
}

// Load builds the configuration of a process from its arguments (without
// the program name) and its environment (os.Environ's form), in this order,
// each layer overriding the one before:
//
//  1. the defaults of the table (settings.go; config.yaml shows them);
//  2. the YAML file named by --config FILE, or by a first argument that is
//     not an option (redis-server's "redis-server /path/redis.conf" form);
//  3. GEARSD_<NAME> environment variables, and GEARSD_GEARS;
//  4. --<name> <value> arguments (also --<name>=<value>), and
//     --gears.<Key> <value> for RedisGears pairs.
//
// An unknown setting anywhere is an error. --help/-h and --version/-v return
// ErrHelp and ErrVersion.
func Load(args, environ []string) (*Config, error) {
	c := Default()
	pairs, file, err := parseArgs(args)
	if err != nil {
		return nil, err
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		if err := c.loadYAML(data, file); err != nil {
			return nil, err
		}
		c.file = file
	}
	if err := c.loadEnv(environ); err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if key, ok := cutGears(p[0]); ok {
			c.gears = append(c.gears, [2]string{key, p[1]})
			continue
		}
		if err := c.setAtLoad(p[0], p[1], "argument --"+p[0]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// cutGears recognizes "gears.<Key>", keeping the key's case.
func cutGears(name string) (string, bool) {
	if len(name) > len(GearsKey)+1 && strings.EqualFold(name[:len(GearsKey)+1], GearsKey+".") {
		return name[len(GearsKey)+1:], true
	}
	return "", false
}

// parseArgs splits the command line into name/value pairs and the config
// file. Every option takes one value, except a Bool setting given last or
// followed by another option, which means yes.
func parseArgs(args []string) (pairs [][2]string, file string, err error) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch arg {
		case "-h", "--help":
			return nil, "", ErrHelp
		case "-v", "--version":
			return nil, "", ErrVersion
		}
		if !strings.HasPrefix(arg, "--") {
			if i == 0 {
				file = arg // redis-server /path/to/redis.conf
				continue
			}
			return nil, "", fmt.Errorf("argument %q: expected --<setting> <value> (gearsd --help lists the settings)", arg)
		}
		name, val, hasVal := strings.Cut(arg[2:], "=")
		if _, isGears := cutGears(name); !isGears {
			name = strings.ToLower(name) // a RedisGears key keeps its case
		}
		if name == "" {
			return nil, "", fmt.Errorf("argument %q: missing setting name", arg)
		}
		if !hasVal {
			next := i+1 < len(args) && !strings.HasPrefix(args[i+1], "--")
			switch {
			case next:
				val = args[i+1]
				i++
			case name != "config" && lookup(name) != nil && lookup(name).Type == Bool:
				val = "yes"
			default:
				return nil, "", fmt.Errorf("argument --%s: missing value", name)
			}
		}
		if name == "config" {
			file = val
			continue
		}
		if _, isGears := cutGears(name); !isGears && lookup(name) == nil {
			return nil, "", fmt.Errorf("argument --%s: unknown setting (gearsd --help lists them)", name)
		}
		pairs = append(pairs, [2]string{name, val})
	}
	return pairs, file, nil
}

func (c *Config) loadEnv(environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			env[k] = v
		}
	}
	for i := range table {
		name := table[i].Name
		if v, ok := env[EnvName(name)]; ok {
			if err := c.setAtLoad(name, v, "environment "+EnvName(name)); err != nil {
				return err
			}
		}
	}
	if v, ok := env[EnvGears]; ok {
		f := strings.Fields(v)
		if len(f)%2 != 0 {
			return fmt.Errorf("environment %s: expected <key> <value> pairs, got %d words", EnvGears, len(f))
		}
		for i := 0; i < len(f); i += 2 {
			c.gears = append(c.gears, [2]string{f[i], f[i+1]})
		}
	}
	return nil
}

// Usage writes the command line's syntax and the table of settings.
func Usage(w io.Writer, program string) {
	fmt.Fprintf(w, `Usage: %[1]s [/path/to/config.yaml] [--<setting> <value> ...]
       %[1]s --config /path/to/config.yaml --port 6380 --scheduler.lanes 2
       %[1]s -v | --version
       %[1]s -h | --help

Each setting is read, in order, from its default, the config file (YAML),
the environment (%[2]sPORT, %[2]sSCHEDULER_LANES, ...), then the arguments.
RedisGears configuration pairs: --gears.<Key> <value>, %[3]s="<Key> <value> ...",
or the "gears:" map of the config file.

`, program, EnvPrefix, EnvGears)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tTYPE\tDEFAULT\tCONFIG SET\tDESCRIPTION")
	for _, s := range table {
		typ := s.Type.String()
		if s.Type == Enum {
			typ = strings.Join(s.Values, "|")
		}
		def := s.Default
		if def == "" {
			def = `""`
		}
		runtime := "no"
		if s.Runtime {
			runtime = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, typ, def, runtime, s.Description)
	}
	tw.Flush()
}
