package acl

import "context"

// Guard checks a command that code running for a client sends on its own
// (Python's execute() in a session that client started) against the
// client's user: nil if it may run, else the NOPERM error. The server puts
// one in the context of each module command; the gears engine keeps it
// with the session.
type Guard func(argv [][]byte) error

type guardKey struct{}

// WithGuard returns ctx carrying g.
func WithGuard(ctx context.Context, g Guard) context.Context {
	return context.WithValue(ctx, guardKey{}, g)
}

// GuardFrom returns the Guard in ctx, or nil.
func GuardFrom(ctx context.Context) Guard {
	g, _ := ctx.Value(guardKey{}).(Guard)
	return g
}
