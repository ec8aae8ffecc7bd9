#!/usr/bin/env bash
# Downloads the State's public grant lists (DGCL/ANCT, Licence Ouverte) that the real-file tests
# read, into fichiers_publics/ (ignored by git: about 3 MB each). Without a network the tests that
# need them are skipped with a reason; nothing else depends on them.
#   bash scripts/fichiers_publics.sh [folder]
set -uo pipefail
cd "$(dirname "$0")/.."
folder="${1:-${PRIORISATION_FICHIERS_PUBLICS:-fichiers_publics}}"
mkdir -p "$folder"
base="https://raw.githubusercontent.com/anct-carto"
files=(
  "dotations_investissement_2019/master/data/projets_dotations_investissement_2019.xlsx"
  "dotation_investissement/master/data/Projets_DI_2018.ods"
)
missing=0
for path in "${files[@]}"; do
  name="${path##*/}"
  [ -s "$folder/$name" ] && continue
  if curl -fsSL --max-time 120 -o "$folder/$name.part" "$base/$path"; then
    mv "$folder/$name.part" "$folder/$name"
    echo "Téléchargé : $folder/$name"
  else
    rm -f "$folder/$name.part"
    echo "Non téléchargé (pas de réseau ?) : $name — les tests qui le lisent seront ignorés." >&2
    missing=1
  fi
done
exit "$missing"
