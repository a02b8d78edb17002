# fish completion for lmsctl(1): commands, options, model files, environment kinds,
# output formats and template parameter names.
#
# The option lists below are exactly what `lmsctl CMD --help` prints for each command;
# tests/help_man.sh fails when they drift apart (or from man/lmsctl.1). Parameter names
# come from the program itself (`lmsctl params export`, the catalog's parameters).

set -g __lmsctl_commands init validate generate params deploy destroy status outputs diff drift render report

# The command on the line so far ('' before one).
function __lmsctl_command
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -m --model --templates --theme --endpoint-url --profile --region
                set skip 1
            case '-*'
            case '*'
                if contains -- $w $__lmsctl_commands
                    echo $w
                    return
                end
        end
    end
    echo ''
end

# The options of the command on the line.
function __lmsctl_options
    switch (__lmsctl_command)
        case ''
            printf '%s\n' -m --model --templates --readonly --write --no-color --theme -h --help -V --version --endpoint-url --profile --region --debug
        case init
            printf '%s\n' -e --env --set -o --output-file -f --force
        case validate
            printf '%s\n' -m --model --stack --output --format --external --rules
        case generate
            printf '%s\n' -m --model --stack -o --output-file --no-validate
        case params
            printf '%s\n' -m --model -o --output-file --output --format
        case deploy
            printf '%s\n' -m --model -y --yes --no-execute --role-arn --allow-plain-http --allow-replacement --template --set-pipeline-parameter --change-set --output --format --endpoint-url --profile --region --debug
        case destroy
            printf '%s\n' -m --model -y --yes --purge --role-arn --output --format --endpoint-url --profile --region --debug
        case status
            printf '%s\n' -m --model -f --follow --output --format --endpoint-url --profile --region --debug
        case outputs
            printf '%s\n' -m --model --write-flat --output --format --endpoint-url --profile --region --debug
        case drift
            printf '%s\n' -m --model --output --format --endpoint-url --profile --region --debug
        case diff
            printf '%s\n' -m --model -u --unified --change-set --template --output --format --endpoint-url --profile --region --debug
        case render
            printf '%s\n' -m --model --stack -o --output-file --output --format --account-id --azs
        case report
            printf '%s\n' -m --model --output --format -o --output-file --previous
    end
    echo --help
end

function __lmsctl_formats
    switch (__lmsctl_command)
        case validate status deploy destroy diff drift
            printf '%s\n' text json
        case render
            printf '%s\n' yaml json
        case report
            printf '%s\n' text markdown json
        case params
            echo json
        case outputs
            printf '%s\n' text json flat
    end
end

# The template parameters' names (for NAME=VALUE after --set), from the catalog.
function __lmsctl_param_names
    set -l words (commandline -opc)
    set -l templates
    set -l i (contains -i -- --templates $words)
    and set templates --templates $words[(math $i + 1)]
    $words[1] $templates params export 2>/dev/null | string replace -rf '.*"ParameterKey": *"([^"]*)".*' '$1='
end

function __lmsctl_prev_is
    set -l words (commandline -opc)
    contains -- $words[-1] $argv
end

# after an option that takes a value, only its values are offered
function __lmsctl_wants_value
    __lmsctl_prev_is -m --model --previous --template -o --output-file -e --env --output --format --theme --stack --templates --set --endpoint-url --profile --region --role-arn --account-id --azs
end

function __lmsctl_models
    set -l tok (commandline -ct)
    __fish_complete_suffix $tok .yml
    __fish_complete_suffix $tok .yaml
end

complete -c lmsctl -e
# option values first: after an option that takes one, nothing else is offered
complete -c lmsctl -f -n '__lmsctl_prev_is -m --model --previous' -a '(__lmsctl_models)'
complete -c lmsctl -F -n '__lmsctl_prev_is --template -o --output-file'
complete -c lmsctl -f -n '__lmsctl_prev_is -e --env' -a 'dev staging prod'
complete -c lmsctl -f -n '__lmsctl_prev_is --output --format' -a '(__lmsctl_formats)'
complete -c lmsctl -f -n '__lmsctl_prev_is --theme' -a 'dark light mono'
complete -c lmsctl -f -n '__lmsctl_prev_is --stack' -a 'main edge'
complete -c lmsctl -f -n '__lmsctl_prev_is --templates' -a '(__fish_complete_directories)'
complete -c lmsctl -f -n '__lmsctl_prev_is --set' -a '(__lmsctl_param_names)'
complete -c lmsctl -f -n '__lmsctl_prev_is --endpoint-url --profile --region --role-arn --account-id --azs'
# options, commands, model files and params' actions
complete -c lmsctl -f -n 'not __lmsctl_wants_value; and string match -q -- "-*" (commandline -ct)' -a '(__lmsctl_options)'
complete -c lmsctl -f -n 'not __lmsctl_wants_value; and test -z (__lmsctl_command)' -a "$__lmsctl_commands"
complete -c lmsctl -f -n 'not __lmsctl_wants_value; and test -z (__lmsctl_command)' -a '(__lmsctl_models)'
complete -c lmsctl -f -n 'test (__lmsctl_command) = params; and not __fish_seen_subcommand_from export import' -a 'export import'
