"""Patent text: readers for plain text, USPTO XML and JSON lines; sections; sentences.

Import from `torchworks.recipes.patents.text.readers` (`read_patents`, `load_patent`,
`patent_from_text`, `patent_from_record`, `Patent`) in other patent tools.
"""
