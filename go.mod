module github.com/emsd/emsd

go 1.26.8
