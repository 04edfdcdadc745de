"""Documents the body gives out (issue 17): the printed certificate and its signed status statement
(certificate.py, statement.py) and the static, signed public register (register_site.py)."""
