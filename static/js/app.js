// partytrack: small progressive enhancements. No inline scripts anywhere (Content-Security-Policy).
"use strict";
