# masked_url URL: the URL with its password, if any, as *** (postgres://user:***@host/db), for
# scripts that say which database they use. Sourced, not run; bash only (no sed on PATH needed).
masked_url() {
  local pattern='^([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@]*):[^/?#]*@(.*)$'
  if [[ $1 =~ $pattern ]]; then
    printf '%s:***@%s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    printf '%s' "$1"
  fi
}
