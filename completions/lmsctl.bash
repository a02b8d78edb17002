# bash completion for lmsctl(1): commands, options, model files, environment kinds,
# output formats and template parameter names.
#
# The option lists below are exactly what `lmsctl CMD --help` prints for each command;
# tests/help_man.sh fails when they drift apart (or from man/lmsctl.1). Parameter names
# come from the program itself (`lmsctl params export`, the catalog's parameters), so
# they follow the templates in use.

_lmsctl_commands='init validate generate params deploy destroy status outputs diff drift render report'

# The options of COMMAND ('' for lmsctl's own), one case per command.
_lmsctl_options()
{
	case $1 in
	'') echo '-m --model --templates --readonly --write --no-color --theme -h --help -V --version --endpoint-url --profile --region --debug' ;;
	init) echo '-e --env --set -o --output-file -f --force' ;;
	validate) echo '-m --model --stack --output --format --external --rules' ;;
	generate) echo '-m --model --stack -o --output-file --no-validate' ;;
	params) echo '-m --model -o --output-file --output --format' ;;
	deploy) echo '-m --model -y --yes --no-execute --role-arn --allow-plain-http --allow-replacement --template --set-pipeline-parameter --change-set --output --format --endpoint-url --profile --region --debug' ;;
	destroy) echo '-m --model -y --yes --purge --role-arn --output --format --endpoint-url --profile --region --debug' ;;
	status) echo '-m --model -f --follow --output --format --endpoint-url --profile --region --debug' ;;
	outputs) echo '-m --model --write-flat --output --format --endpoint-url --profile --region --debug' ;;
	drift) echo '-m --model --output --format --endpoint-url --profile --region --debug' ;;
	diff) echo '-m --model -u --unified --change-set --template --output --format --endpoint-url --profile --region --debug' ;;
	render) echo '-m --model --stack -o --output-file --output --format --account-id --azs' ;;
	report) echo '-m --model --output --format -o --output-file --previous' ;;
	esac
}

# The output formats of COMMAND (the first is the default).
_lmsctl_formats()
{
	case $1 in
	validate | status | deploy | destroy | diff | drift) echo 'text json' ;;
	render) echo 'yaml json' ;;
	report) echo 'text markdown json' ;;
	params) echo 'json' ;;
	outputs) echo 'text json flat' ;;
	esac
}

# The template parameters' names, from the catalog the command line would use
# (--templates as typed, else the program's own default).
_lmsctl_param_names()
{
	local templates=$1
	"${COMP_WORDS[0]:-lmsctl}" ${templates:+--templates "$templates"} params export 2>/dev/null |
		sed -n 's/.*"ParameterKey": *"\([^"]*\)".*/\1/p'
}

# Model files (*.yml, *.yaml) and directories to look in.
_lmsctl_models()
{
	compgen -f -X '!*.yml' -- "$1"
	compgen -f -X '!*.yaml' -- "$1"
	compgen -d -- "$1"
}

_lmsctl()
{
	local cur prev cmd='' templates='' i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=''
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# the command: the first word that is not an option or an option's value
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--templates) templates=${COMP_WORDS[i + 1]}; ((i++)); continue ;;
		--templates=*) templates=${w#--templates=}; continue ;;
		-m | --model | --theme | --endpoint-url | --profile | --region) ((i++)); continue ;;
		-*) continue ;;
		esac
		case " $_lmsctl_commands " in
		*" $w "*) cmd=$w; break ;;
		esac
	done

	case $prev in
	-m | --model | --previous)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(_lmsctl_models "$cur"))
		return
		;;
	--template | -o | --output-file)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-e | --env)
		COMPREPLY=($(compgen -W 'dev staging prod' -- "$cur"))
		return
		;;
	--output | --format)
		COMPREPLY=($(compgen -W "$(_lmsctl_formats "$cmd")" -- "$cur"))
		return
		;;
	--theme)
		COMPREPLY=($(compgen -W 'dark light mono' -- "$cur"))
		return
		;;
	--stack)
		COMPREPLY=($(compgen -W 'main edge' -- "$cur"))
		return
		;;
	--set)
		compopt -o nospace 2>/dev/null
		COMPREPLY=($(compgen -S = -W "$(_lmsctl_param_names "$templates")" -- "${cur%%=*}"))
		[[ $cur == *=* ]] && COMPREPLY=()
		return
		;;
	--templates)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--endpoint-url | --profile | --region | --role-arn | --account-id | --azs)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_lmsctl_options "$cmd") --help" -- "$cur"))
		return
	fi
	case $cmd in
	'')
		# a command, or a model file that opens the console on it
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -W "$_lmsctl_commands" -- "$cur")
			$(_lmsctl_models "$cur"))
		;;
	params)
		case " ${COMP_WORDS[*]:1:COMP_CWORD-1} " in
		*" import "*)
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
			;;
		*" export "*) ;;
		*) COMPREPLY=($(compgen -W 'export import' -- "$cur")) ;;
		esac
		;;
	esac
}

complete -F _lmsctl lmsctl
