package server

// PersistenceReporter may be implemented by a store that persists its
// keys: INFO persistence shows its fields (name, value) as they come.
// Without it the section says that nothing is persisted.
type PersistenceReporter interface {
	PersistenceInfo() [][2]string
}

func infoPersistence(s *Server) []InfoField {
	if p, ok := s.store.(PersistenceReporter); ok {
		var fields []InfoField
		for _, f := range p.PersistenceInfo() {
			fields = append(fields, InfoField{f[0], f[1]})
		}
		return fields
	}
	return []InfoField{field("loading", 0), field("aof_enabled", 0)}
}
