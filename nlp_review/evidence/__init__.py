"""Evidence tables: how (mechanisms), for whom (populations) and where (settings), built from
the tagged full texts of the included studies (their abstracts where no full text is
tagged), with every cell traceable to its sentences."""
