"""Automatic coding and its review: the rule matcher (``matcher``), the incremental coding
engine over the store (``engine``), resolving coders' codings for the analyses
(``resolve``), review sheets (``review``) and evaluation against a gold coding (``evaluate``)."""
