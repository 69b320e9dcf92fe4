module github.com/gearsd/gearsd

go 1.26.0

require go.yaml.in/yaml/v3 v3.0.6

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/rs/zerolog v1.35.1 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
