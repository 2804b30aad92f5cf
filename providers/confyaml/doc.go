// Package confyaml is the YAML machinery under tokentop's providers file:
// parsing one document into a node tree ([Parse]), ${VAR} expansion
// ([ExpandEnv]), checking the tree against the Go types it decodes into
// with a line for every problem ([Shape]), and building a node tree that
// reads back exactly ([ToNode], [FlowStyle]). It knows nothing of
// providers: package providers says which types and keys there are.
package confyaml
