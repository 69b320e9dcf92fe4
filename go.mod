module github.com/gearsd/gearsd

go 1.26
