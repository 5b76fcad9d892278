"""Stand-in virus scanners for the upload tests (the setting names a callable)."""

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def reject_eicar(uploaded_file):
    return "检测到 EICAR 测试病毒" if EICAR in uploaded_file.read() else None
