"""A small blocklist of passwords attackers try first, in folded form (lower case, no spaces).

Entries are compared both whole and with trailing digits/symbols stripped, so "Password2024!"
and "ThinBlueLine1" are caught by "password" and "thinblueline". The law-enforcement words are
the ones a targeted guesser would try against this user base. A breached-password service (e.g.
k-anonymity range queries) is the stronger check and can be added behind the same function.
"""

from __future__ import annotations

__all__ = ["COMMON_PASSWORDS"]

_GENERIC = """
    password passw0rd p@ssw0rd p@ssword pass passwordpassword password1 123456789012 1234567890
    12345678910 123456123456 111111111111 000000000000 123123123123 121212121212 987654321098
    0987654321 1q2w3e4r5t6y 1qaz2wsx3edc qwerty qwertyuiop qwertyuiop12 qwerty123456 qwertyqwerty
    asdfghjkl asdfghjkl123 zxcvbnm zxcvbnm12345 azerty abcdefghijkl abcdefg abc123abc123 iloveyou
    iloveyouiloveyou letmein letmeinplease welcome welcometo changeme changemeplease secret
    topsecret trustno1 admin administrator adminadmin root login master dragon monkey football
    baseball basketball superman batman starwars sunshine princess shadow michael jennifer jordan
    hunter freedom whatever computer internet summer winter spring autumn january december
    correcthorse correcthorsebatterystaple onetwothreefour blink182 liverpool chelsea americanidol
    unitedstates america godblessamerica jesus jesuschrist blessed family myfamily mypassword
    newpassword yourpassword thisismypassword passwordispassword nopassword default
"""

_LAW_ENFORCEMENT = """
    police policeofficer policedepartment police1234 officer sheriff sheriffsoffice deputy
    deputysheriff trooper statetrooper highwaypatrol patrol patrolman sergeant lieutenant captain
    detective badge badgenumber thinblueline thebluelinefamily backtheblue bluelivesmatter
    protectandserve toprotectandtoserve serveandprotect lawenforcement lawandorder copper tenfour
    10-4 codethree code3 tenfourtenfour endofwatch firstresponder firefighter thinredline paramedic
    dispatcher swatteam k9unit k9officer academy policeacademy semperfi hooah oorah 911emergency
    emergency911
"""

COMMON_PASSWORDS: frozenset[str] = frozenset((_GENERIC + _LAW_ENFORCEMENT).split())
