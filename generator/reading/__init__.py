"""Reading a finished report: the text of every story of a .docx (docx_text), joined where a sentence was broken
over paragraphs (fragments), made comparable (text), its figures (amounts) and the statements they make (statements).
Shared by verify and import; knows nothing of the data model or the renderer."""
